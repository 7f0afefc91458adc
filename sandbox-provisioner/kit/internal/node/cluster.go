package node

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"
)

func create[T any](ctx context.Context, what string, f func(context.Context, T, metav1.CreateOptions) (T, error), obj T) error {
	_, err := f(ctx, obj, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func crb(name, role, kind, subject string) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: kind, Name: subject}},
	}
}

// bootstrapObjects creates what agents need to join with the shared token
// (kubelet TLS bootstrap with a bootstrap token, CA published in
// kube-public/cluster-info) and the platform namespace.
func bootstrapObjects(ctx context.Context, cs *kubernetes.Clientset, c *Config) error {
	id, secret := BootstrapToken(c.Token)
	rb := cs.RbacV1().ClusterRoleBindings()
	var errs []string
	add := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	add(create(ctx, "crb", rb.Create, crb("servicelab:kubelet-bootstrap", "system:node-bootstrapper", "Group", "system:bootstrappers")))
	add(create(ctx, "crb", rb.Create, crb("servicelab:node-autoapprove-bootstrap", "system:certificates.k8s.io:certificatesigningrequests:nodeclient", "Group", "system:bootstrappers")))
	add(create(ctx, "crb", rb.Create, crb("servicelab:node-autoapprove-renewal", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", "Group", "system:nodes")))
	add(create(ctx, "crb", rb.Create, crb("servicelab:node-proxier", "system:node-proxier", "Group", "system:nodes")))
	add(create(ctx, "secret", cs.CoreV1().Secrets("kube-system").Create, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "bootstrap-token-" + id, Namespace: "kube-system"},
		Type:       corev1.SecretType("bootstrap.kubernetes.io/token"),
		StringData: map[string]string{
			"token-id": id, "token-secret": secret, "usage-bootstrap-authentication": "true",
			"auth-extra-groups": "system:bootstrappers:servicelab", "description": "ServiceLab agent join (derived from K3S_TOKEN)",
		},
	}))
	ca, _ := os.ReadFile(tlsDir("ca.crt"))
	ciKubeconfig := kubeconfigToken(fmt.Sprintf("https://%s:%d", c.NodeIP, APIPort), tlsDir("ca.crt"), "")
	ciKubeconfig = strings.Replace(ciKubeconfig, "    token: \n", "    {}\n", 1)
	add(create(ctx, "cluster-info", cs.CoreV1().ConfigMaps("kube-public").Create, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "cluster-info", Namespace: "kube-public"},
		Data:       map[string]string{"kubeconfig": ciKubeconfig, "ca.crt": string(ca)},
	}))
	add(create(ctx, "role", cs.RbacV1().Roles("kube-public").Create, &rbacv1.Role{
		ObjectMeta: metav1.ObjectMeta{Name: "servicelab:cluster-info-reader", Namespace: "kube-public"},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{"cluster-info"}, Verbs: []string{"get"}}},
	}))
	add(create(ctx, "rolebinding", cs.RbacV1().RoleBindings("kube-public").Create, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "servicelab:cluster-info-reader", Namespace: "kube-public"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: "servicelab:cluster-info-reader"},
		Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "system:anonymous"}},
	}))
	if c.NetworkPolicy {
		add(create(ctx, "clusterrole", cs.RbacV1().ClusterRoles().Create, &rbacv1.ClusterRole{
			ObjectMeta: metav1.ObjectMeta{Name: netpolReader},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"pods", "namespaces"}, Verbs: []string{"get", "list", "watch"}},
				{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"networkpolicies"}, Verbs: []string{"get", "list", "watch"}},
			},
		}))
		add(create(ctx, "crb", rb.Create, crb(netpolReader, netpolReader, "Group", "system:nodes")))
	}
	add(create(ctx, "namespace", cs.CoreV1().Namespaces().Create, &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{Name: "servicelab-system", Labels: map[string]string{"app.kubernetes.io/managed-by": "servicelab"}},
	}))
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// deployController applies every manifest in server/manifests (k3s's
// "deploy" controller): at start, and again whenever a file changes.
func deployController(ctx context.Context, kubeconfig string) {
	applied := map[string]string{}
	dir := serverDir("manifests")
	for {
		entries, _ := os.ReadDir(dir)
		var names []string
		for _, e := range entries {
			n := e.Name()
			if e.IsDir() || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".skip") {
				continue
			}
			if strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".json") {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			p := filepath.Join(dir, n)
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			sum := sha256.Sum256(b)
			h := hex.EncodeToString(sum[:])
			if applied[n] == h {
				continue
			}
			if _, err := os.Stat(p + ".skip"); err == nil {
				continue
			}
			cmd := exec.Command("/proc/self/exe", "apply", "--kubeconfig="+kubeconfig, "-f", p)
			cmd.Args[0] = "kubectl"
			out, err := cmd.CombinedOutput()
			if err != nil {
				warnf("applying manifest %s failed (will retry): %v: %s", n, err, strings.TrimSpace(string(out)))
				continue
			}
			applied[n] = h
			logf("applied manifest %s", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(3 * time.Second):
		}
	}
}

// importImages loads every image tarball shipped in the node image
// (/var/lib/servicelab/images) and every one dropped into
// agent/images (k3s's offline preload) into containerd's k8s.io namespace.
func importImages(ctx context.Context) {
	t0 := time.Now()
	for i := 0; ; i++ {
		if _, err := run("/usr/local/bin/ctr", "--address", ContainerdSock, "version"); err == nil {
			break
		}
		if i > 600 {
			warnf("containerd did not come up; skipping image import")
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	logf("containerd ready after %s", since())
	var files []string
	for _, dir := range []string{"/var/lib/servicelab/images", agentDir("images")} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			n := e.Name()
			if !e.IsDir() && (strings.HasSuffix(n, ".tar") || strings.HasSuffix(n, ".tar.gz") || strings.HasSuffix(n, ".tgz") || strings.HasSuffix(n, ".tar.zst")) {
				files = append(files, filepath.Join(dir, n))
			}
		}
	}
	// Small images first: the pause and CoreDNS images gate node readiness.
	sort.Slice(files, func(i, j int) bool { return fileSize(files[i]) < fileSize(files[j]) })
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func(f string) {
			defer wg.Done()
			defer func() { <-sem }()
			t := time.Now()
			out, err := run("/usr/local/bin/ctr", "--address", ContainerdSock, "-n", "k8s.io", "images", "import", "--no-unpack=false", f)
			if err != nil {
				warnf("importing %s: %v: %s", f, err, strings.TrimSpace(out))
				return
			}
			logf("imported images from %s in %s", filepath.Base(f), time.Since(t).Round(time.Millisecond))
		}(f)
	}
	wg.Wait()
	logf("image import done (%d tarballs) in %s", len(files), time.Since(t0).Round(time.Millisecond))
}

func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

// labelServerNode adds the role labels k3s puts on a server node (the
// kubelet may not set node-role.* labels itself under NodeRestriction).
func labelServerNode(ctx context.Context, cs *kubernetes.Clientset, name string) {
	patch := []byte(`{"metadata":{"labels":{"node-role.kubernetes.io/control-plane":"true","node-role.kubernetes.io/master":"true"}}}`)
	for ctx.Err() == nil {
		if _, err := cs.CoreV1().Nodes().Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}); err == nil {
			return
		}
		time.Sleep(time.Second)
	}
}

func nodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// waitReady logs the K3sContainer readiness line once this node is Ready
// and (on a server) CoreDNS answers, i.e. pod networking works.
func waitReady(ctx context.Context, cs *kubernetes.Clientset, c *Config, coredns bool) {
	nodeOK := false
	for ctx.Err() == nil {
		if !nodeOK {
			if n, err := cs.CoreV1().Nodes().Get(ctx, c.NodeName, metav1.GetOptions{}); err == nil && nodeReady(n) {
				nodeOK = true
				logf("node %s is Ready after %s", c.NodeName, since())
			}
		}
		if nodeOK {
			if !coredns {
				break
			}
			d, err := cs.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
			if err == nil && d.Status.ReadyReplicas > 0 {
				logf("CoreDNS ready after %s", since())
				break
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	if ctx.Err() == nil {
		logf("%s (node %s ready, cluster up in %s)", ReadyLine, c.NodeName, since())
	}
}

// fetchCA gets the cluster CA from a server's kube-public/cluster-info
// (anonymous read). The connection is not verified: the agent has nothing to
// verify it with yet. Sandboxes join over a private container network.
func fetchCA(ctx context.Context, server string) ([]byte, error) {
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // see comment
		DialContext:     (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
	}}
	u := strings.TrimSuffix(server, "/") + "/api/v1/namespaces/kube-public/configmaps/cluster-info"
	resp, err := hc.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	var cm corev1.ConfigMap
	if err := json.Unmarshal(b, &cm); err != nil {
		return nil, err
	}
	if ca := cm.Data["ca.crt"]; ca != "" {
		return []byte(ca), nil
	}
	var kc struct {
		Clusters []struct {
			Cluster struct {
				CAData []byte `json:"certificate-authority-data"`
			} `json:"cluster"`
		} `json:"clusters"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["kubeconfig"]), &kc); err == nil && len(kc.Clusters) > 0 {
		return kc.Clusters[0].Cluster.CAData, nil
	}
	return nil, fmt.Errorf("no CA in cluster-info")
}

// serverByIP turns https://NAME:6443 into https://IP:6443: the server's
// certificate names its IP addresses but cannot know every Docker network
// alias an agent may use to reach it.
func serverByIP(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || net.ParseIP(u.Hostname()) != nil {
		return raw
	}
	for i := 0; i < 60; i++ {
		addrs, err := net.LookupHost(u.Hostname())
		if err == nil {
			for _, a := range addrs {
				if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
					port := u.Port()
					if port == "" {
						port = "6443"
					}
					u.Host = net.JoinHostPort(a, port)
					return strings.TrimSuffix(u.String(), "/")
				}
			}
		}
		time.Sleep(time.Second)
	}
	warnf("cannot resolve %s; using it as is", u.Hostname())
	return raw
}

func runAgent(ctx context.Context, c *Config, cgroupRoot, resolv string, imported chan struct{}) error {
	server := serverByIP(c.ServerURL)
	logf("joining server %s (%s)", c.ServerURL, server)
	var ca []byte
	for i := 0; ; i++ {
		b, err := fetchCA(ctx, server)
		if err == nil {
			ca = b
			break
		}
		if i%10 == 0 {
			logf("waiting for server %s: %v", server, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	caPath := agentDir("pki", "ca.crt")
	if err := writeFile(caPath, string(ca), 0o644); err != nil {
		return err
	}
	id, secret := BootstrapToken(c.Token)
	bootKC := agentDir("bootstrap.kubeconfig")
	if err := writeFile(bootKC, kubeconfigToken(server, caPath, id+"."+secret), 0o600); err != nil {
		return err
	}
	<-imported
	if err := writeFile(agentDir("kubelet.yaml"), kubeletConfig(c, caPath, "", "", resolv, cgroupRoot), 0o644); err != nil {
		return err
	}
	nodeKC := "/var/lib/kubelet/kubeconfig"
	// After a restart the server may have a new address: follow it.
	if b, err := os.ReadFile(nodeKC); err == nil {
		var out []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "server: ") {
				l = l[:strings.Index(l, "server: ")] + "server: " + server
			}
			out = append(out, l)
		}
		_ = writeFile(nodeKC, strings.Join(out, "\n"), 0o600)
	}
	startKubelet(c, []string{"--bootstrap-kubeconfig=" + bootKC, "--kubeconfig=" + nodeKC, "--cert-dir=/var/lib/kubelet/pki", "--rotate-certificates=true"})
	waitStart := time.Now()
	hinted := false
	for {
		if !hinted && time.Since(waitStart) > 45*time.Second {
			hinted = true
			warnf("kubelet has not joined after 45s; last lines of its log:\n%s", tailFile(ComponentLogDir+"/kubelet.log", 8))
		}
		_, err1 := os.Stat(nodeKC)
		_, err2 := os.Stat("/var/lib/kubelet/pki/kubelet-client-current.pem")
		if err1 == nil && err2 == nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	logf("kubelet joined %s (TLS bootstrap done) after %s", server, since())
	if !c.Disabled["kube-proxy"] {
		if err := writeFile(agentDir("kube-proxy.yaml"), kubeProxyConfig(nodeKC, c), 0o644); err != nil {
			return err
		}
		startProc("kube-proxy", "", append([]string{"--config=" + agentDir("kube-proxy.yaml"), "--v=0"}, c.ExtraArgs["kube-proxy"]...), goEnv(lowGC...)...)
	}
	cs, err := clientFor(nodeKC)
	if err != nil {
		return err
	}
	go networkController(ctx, cs, c)
	go startNetworkPolicy(ctx, cs, c)
	go waitReady(ctx, cs, c, false)
	return nil
}
