// Package node is the ServiceLab node supervisor: a k3s-compatible entry
// point ("server" / "agent") that runs upstream Kubernetes components, kine,
// containerd and CoreDNS inside one privileged container.
package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/component-base/version"
)

// Main runs the supervisor; it returns only on a fatal error or a signal.
func Main(mode string, args []string) int {
	c, err := ParseArgs(mode, args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kube-node:", err)
		return 2
	}
	mirrorLogs = c.LogToStdout
	logf("Starting ServiceLab kube-node %s (upstream Kubernetes %s, k3s-compatible entry point)", mode, version.Get().GitVersion)

	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-sigs
		logf("received %s, stopping components", s)
		cancel()
		stopAll()
		time.Sleep(2 * time.Second)
		os.Exit(0)
	}()

	if err := run2(ctx, c); err != nil {
		warnf("fatal: %v", err)
		stopAll()
		return 1
	}
	<-ctx.Done()
	return 0
}

func run2(ctx context.Context, c *Config) error {
	if c.NodeName == "" {
		h, _ := os.Hostname()
		c.NodeName = strings.ToLower(h)
	}
	if c.NodeIP == "" {
		c.NodeIP = nodeIP()
	}
	logf("node name %s, node IP %s", c.NodeName, c.NodeIP)
	startFlowObserver(ctx, c)

	// Host (container) preparation.
	if _, err := run("mount", "--make-rshared", "/"); err != nil {
		warnf("mount --make-rshared /: %v", err)
	}
	cgroupRoot := cgroupSetup()
	maskKernelTunables()
	sysctlSet("net.ipv4.ip_forward", "1")
	sysctlSet("net.ipv4.conf.all.forwarding", "1")
	if _, err := os.Stat("/proc/sys/net/bridge/bridge-nf-call-iptables"); err == nil {
		sysctlSet("net.bridge.bridge-nf-call-iptables", "1")
	} else if out, err := run("modprobe", "br_netfilter"); err != nil {
		warnf("br_netfilter not loaded (%v %s): Service traffic between pods of one node may bypass kube-proxy and NetworkPolicies", err, strings.TrimSpace(out))
	} else {
		sysctlSet("net.bridge.bridge-nf-call-iptables", "1")
	}
	ipt := iptablesMode()
	logf("iptables backend: %s; kubelet cgroup root: %s", ipt, cgroupRoot)
	for _, d := range []string{serverDir("manifests"), agentDir("images"), CNIConfDir, "/var/lib/kubelet", ComponentLogDir, filepath.Dir(c.KubeconfigOut)} {
		_ = os.MkdirAll(d, 0o755)
	}
	resolv, upstreams := resolvConf()

	// containerd first: image import runs while the control plane starts.
	if err := writeFile("/etc/containerd/config.toml", containerdConfig(), 0o644); err != nil {
		return err
	}
	startProc("containerd", "/usr/local/bin/containerd", []string{"--config", "/etc/containerd/config.toml"}, goEnv(lowGC...)...)
	imported := make(chan struct{})
	go func() {
		defer close(imported)
		importImages(ctx)
	}()

	if c.Mode == "server" {
		return runServer(ctx, c, cgroupRoot, resolv, upstreams, imported)
	}
	return runAgent(ctx, c, cgroupRoot, resolv, imported)
}

func ensureToken(c *Config) error {
	p := serverDir("token")
	if c.Token == "" {
		if b, err := os.ReadFile(p); err == nil {
			c.Token = strings.TrimSpace(string(b))
		}
	}
	if c.Token == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		c.Token = hex.EncodeToString(b)
	}
	if err := writeFile(p, c.Token+"\n", 0o600); err != nil {
		return err
	}
	return writeFile(serverDir("node-token"), c.Token+"\n", 0o600)
}

func runServer(ctx context.Context, c *Config, cgroupRoot, resolv string, upstreams []string, imported chan struct{}) error {
	t0 := time.Now()
	if err := ensureToken(c); err != nil {
		return err
	}
	if err := serverPKI(c); err != nil {
		return err
	}
	tls := tlsDir
	local := fmt.Sprintf("https://127.0.0.1:%d", APIPort)
	cred := func(n string) string { return serverDir("cred", n+".kubeconfig") }
	for name, cert := range map[string]string{
		"admin": "client-admin", "controller": "client-controller", "scheduler": "client-scheduler",
		"kube-proxy": "client-kube-proxy", "kubelet": "client-kubelet", "supervisor": "client-supervisor",
	} {
		if err := writeFile(cred(name), kubeconfigEmbedded(local, tls("ca.crt"), tls(cert+".crt"), tls(cert+".key")), 0o600); err != nil {
			return err
		}
	}
	mode := os.FileMode(0o600)
	if c.KubeconfigMode != "" {
		var m uint32
		if _, err := fmt.Sscanf(c.KubeconfigMode, "%o", &m); err == nil {
			mode = os.FileMode(m)
		}
	}
	admin, _ := os.ReadFile(cred("admin"))
	if err := writeFile(c.KubeconfigOut, string(admin), mode); err != nil {
		return err
	}
	_ = os.Chmod(c.KubeconfigOut, mode)
	if err := writeFile(serverDir("psa.yaml"), psaConfig, 0o644); err != nil {
		return err
	}
	logf("PKI and kubeconfigs ready in %s (admin kubeconfig: %s)", time.Since(t0).Round(time.Millisecond), c.KubeconfigOut)

	_ = os.MkdirAll(serverDir("db"), 0o700)
	startProc("kine", "/usr/local/bin/kine", []string{
		"--endpoint", "sqlite://" + serverDir("db", "state.db") + "?_journal=WAL&cache=shared&_busy_timeout=30000&_txlock=immediate",
		"--listen-address", "127.0.0.1:2379",
		"--metrics-bind-address", "",
		"--compact-interval", "5m",
	}, goEnv(lowGC...)...)

	apiArgs := []string{
		"--advertise-address=" + c.NodeIP,
		"--bind-address=0.0.0.0",
		fmt.Sprintf("--secure-port=%d", APIPort),
		"--etcd-servers=http://127.0.0.1:2379",
		"--storage-backend=etcd3",
		"--service-cluster-ip-range=" + c.ServiceCIDR,
		"--service-node-port-range=30000-32767",
		"--allow-privileged=true",
		"--authorization-mode=Node,RBAC",
		"--anonymous-auth=true",
		"--enable-bootstrap-token-auth=true",
		"--enable-admission-plugins=NodeRestriction",
		"--admission-control-config-file=" + serverDir("psa.yaml"),
		"--client-ca-file=" + tls("ca.crt"),
		"--tls-cert-file=" + tls("serving-kube-apiserver.crt"),
		"--tls-private-key-file=" + tls("serving-kube-apiserver.key"),
		"--kubelet-client-certificate=" + tls("client-kube-apiserver.crt"),
		"--kubelet-client-key=" + tls("client-kube-apiserver.key"),
		"--kubelet-preferred-address-types=InternalIP,Hostname",
		"--service-account-key-file=" + tls("service-account.pub"),
		"--service-account-signing-key-file=" + tls("service-account.key"),
		"--service-account-issuer=https://kubernetes.default.svc." + ClusterDomain,
		"--api-audiences=https://kubernetes.default.svc." + ClusterDomain,
		"--profiling=false",
		"--event-ttl=1h",
		"--enable-garbage-collector=true",
		"--endpoint-reconciler-type=lease",
		"--v=0",
	}
	apiArgs = append(apiArgs, c.ExtraArgs["kube-apiserver"]...)
	startProc("kube-apiserver", "", apiArgs, goEnv(lowGC...)...)

	cs, err := clientFor(cred("supervisor"))
	if err != nil {
		return err
	}
	if err := waitAPIServer(ctx, cs); err != nil {
		return err
	}
	logf("kube-apiserver ready after %s", since())
	if err := bootstrapObjects(ctx, cs, c); err != nil {
		warnf("bootstrap objects: %v", err)
	}

	cmArgs := []string{
		"--kubeconfig=" + cred("controller"),
		"--authentication-kubeconfig=" + cred("controller"),
		"--authorization-kubeconfig=" + cred("controller"),
		"--bind-address=127.0.0.1",
		"--secure-port=10257",
		"--leader-elect=false",
		"--allocate-node-cidrs=true",
		"--cluster-cidr=" + c.ClusterCIDR,
		"--node-cidr-mask-size=24",
		"--service-cluster-ip-range=" + c.ServiceCIDR,
		"--cluster-signing-cert-file=" + tls("ca.crt"),
		"--cluster-signing-key-file=" + tls("ca.key"),
		"--root-ca-file=" + tls("ca.crt"),
		"--service-account-private-key-file=" + tls("service-account.key"),
		"--use-service-account-credentials=true",
		"--configure-cloud-routes=false",
		"--controllers=*,tokencleaner,-bootstrapsigner,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller",
		"--profiling=false",
		"--terminated-pod-gc-threshold=100",
		"--v=0",
	}
	cmArgs = append(cmArgs, c.ExtraArgs["kube-controller-manager"]...)
	startProc("kube-controller-manager", "", cmArgs, goEnv(lowGC...)...)
	schedArgs := []string{
		"--kubeconfig=" + cred("scheduler"),
		"--authentication-kubeconfig=" + cred("scheduler"),
		"--authorization-kubeconfig=" + cred("scheduler"),
		"--bind-address=127.0.0.1",
		"--secure-port=10259",
		"--leader-elect=false",
		"--profiling=false",
		"--v=0",
	}
	schedArgs = append(schedArgs, c.ExtraArgs["kube-scheduler"]...)
	startProc("kube-scheduler", "", schedArgs, goEnv(lowGC...)...)

	// Packaged manifests, then the deploy controller applies the directory.
	if !c.Disabled["coredns"] {
		if err := writeFile(serverDir("manifests", "coredns.yaml"), corednsManifest(upstreams, c.ClusterDNS), 0o644); err != nil {
			return err
		}
	} else {
		_ = os.Remove(serverDir("manifests", "coredns.yaml"))
	}
	go deployController(ctx, cred("admin"))

	<-imported
	kubeletCfg := kubeletConfig(c, tls("ca.crt"), tls("serving-kubelet.crt"), tls("serving-kubelet.key"), resolv, cgroupRoot)
	if err := writeFile(agentDir("kubelet.yaml"), kubeletCfg, 0o644); err != nil {
		return err
	}
	startKubelet(c, []string{"--kubeconfig=" + cred("kubelet")})
	if !c.Disabled["kube-proxy"] {
		if err := writeFile(agentDir("kube-proxy.yaml"), kubeProxyConfig(cred("kube-proxy"), c), 0o644); err != nil {
			return err
		}
		startProc("kube-proxy", "", append([]string{"--config=" + agentDir("kube-proxy.yaml"), "--v=0"}, c.ExtraArgs["kube-proxy"]...), goEnv(lowGC...)...)
	}
	go networkController(ctx, cs, c)
	go startNetworkPolicy(ctx, cs, c)
	go labelServerNode(ctx, cs, c.NodeName)
	go waitReady(ctx, cs, c, !c.Disabled["coredns"])
	return nil
}

func startKubelet(c *Config, extra []string) {
	args := []string{
		"--config=" + agentDir("kubelet.yaml"),
		"--hostname-override=" + c.NodeName,
		"--node-ip=" + c.NodeIP,
		"--v=0",
	}
	if len(c.NodeLabels) > 0 {
		args = append(args, "--node-labels="+strings.Join(c.NodeLabels, ","))
	}
	if len(c.NodeTaints) > 0 {
		args = append(args, "--register-with-taints="+strings.Join(c.NodeTaints, ","))
	}
	args = append(args, extra...)
	args = append(args, c.ExtraArgs["kubelet"]...)
	startProc("kubelet", "", args, goEnv(lowGC...)...)
}

// lowGC trades a little idle CPU for memory: measured on one idle sandbox,
// GOGC=20 instead of 100 brings the node from ~420 MiB to ~360 MiB.
var lowGC = []string{"GOGC=25"}

// goEnv gives Go runtime defaults unless the caller set them for the node.
func goEnv(defaults ...string) []string {
	var out []string
	for _, d := range defaults {
		k, _, _ := strings.Cut(d, "=")
		if os.Getenv(k) == "" {
			out = append(out, d)
		}
	}
	return out
}

func clientFor(kubeconfig string) (*kubernetes.Clientset, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 50, 100
	cfg.Timeout = 15 * time.Second
	return kubernetes.NewForConfig(cfg)
}

func waitAPIServer(ctx context.Context, cs *kubernetes.Clientset) error {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err == nil && strings.TrimSpace(string(body)) == "ok" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("kube-apiserver not ready after 5 minutes; see %s/kube-apiserver.log", ComponentLogDir)
}
