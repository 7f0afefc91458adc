package node

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"strings"
)

// The cluster layout defaults are k3s's; --cluster-cidr, --service-cidr and
// --cluster-dns change them (a sandbox nested in a cluster that already uses
// these ranges needs others, or its pods could not reach its API).
const (
	DefaultClusterCIDR = "10.42.0.0/16"
	DefaultServiceCIDR = "10.43.0.0/16"
	ClusterDomain      = "cluster.local"
	APIPort            = 6443

	DataDir         = "/var/lib/rancher/k3s"
	KubeconfigOut   = "/etc/rancher/k3s/k3s.yaml"
	ContainerdSock  = "/run/containerd/containerd.sock"
	CNIBinDir       = "/usr/lib/cni"
	CNIConfDir      = "/etc/cni/net.d"
	ComponentLogDir = "/var/log/servicelab"

	// ReadyLine is what Testcontainers' K3sContainer waits for.
	ReadyLine = "Node controller sync successful"
)

func serverDir(p ...string) string { return join(append([]string{DataDir, "server"}, p...)) }
func agentDir(p ...string) string  { return join(append([]string{DataDir, "agent"}, p...)) }
func tlsDir(p ...string) string    { return join(append([]string{DataDir, "server", "tls"}, p...)) }

func join(p []string) string { return strings.Join(p, "/") }

// Images shipped with the kit; build.sh sets them from versions.env (-X).
var (
	PauseImage   = "docker.io/servicelab/pause:3.10"
	CoreDNSImage = "docker.io/servicelab/coredns:1.14.7"
	KitVersion   = "dev"
)

// Config is what the command line and the K3S_* environment ask for.
type Config struct {
	Mode           string // server or agent
	NodeName       string
	NodeIP         string
	TLSSANs        []string
	Disabled       map[string]bool
	Token          string
	ServerURL      string
	NodeLabels     []string
	NodeTaints     []string
	KubeconfigMode string
	KubeconfigOut  string
	ExtraArgs      map[string][]string // component -> extra flags (--kube-apiserver-arg etc.)
	ClusterCIDR    string              // pod addresses; agents must be given the server's value
	ServiceCIDR    string              // ClusterIPs; agents must be given the server's value
	ClusterDNS     string              // the DNS Service's ClusterIP: the service range's tenth address unless given
	LogToStdout    bool
	NetworkPolicy  bool // enforce NetworkPolicies (k3s: on unless --disable-network-policy)
}

// flags that take a value when written as "--flag value".
var valueFlags = map[string]bool{
	"disable": true, "tls-san": true, "node-name": true, "node-ip": true, "token": true, "t": true,
	"server": true, "s": true, "node-label": true, "node-taint": true, "write-kubeconfig-mode": true,
	"write-kubeconfig": true, "o": true, "kube-apiserver-arg": true, "kube-controller-manager-arg": true,
	"kube-scheduler-arg": true, "kubelet-arg": true, "kube-proxy-arg": true, "data-dir": true, "d": true,
	"cluster-cidr": true, "service-cidr": true, "cluster-dns": true, "cluster-domain": true,
	"flannel-backend": true, "token-file": true, "agent-token": true, "bind-address": true,
	"advertise-address": true, "https-listen-port": true, "datastore-endpoint": true, "snapshotter": true,
	"container-runtime-endpoint": true, "default-local-storage-path": true, "egress-selector-mode": true,
	"etcd-arg": true, "kube-cloud-controller-manager-arg": true, "system-default-registry": true,
	"private-registry": true, "resolv-conf": true, "pause-image": true, "log": true, "l": true, "v": true,
	"vmodule": true, "node-external-ip": true, "with-node-id": false,
}

// ParseArgs understands the k3s flags that matter here and ignores the rest
// with a warning, so that callers written for rancher/k3s keep working.
func ParseArgs(mode string, args []string) (*Config, error) {
	c := &Config{Mode: mode, Disabled: map[string]bool{}, ExtraArgs: map[string][]string{},
		ClusterCIDR: DefaultClusterCIDR, ServiceCIDR: DefaultServiceCIDR, NetworkPolicy: true}
	// k3s's agent refuses the range flags (it learns the ranges from its server); ours takes
	// them from the environment, which k3s ignores, so one pod spec serves both images.
	if v := os.Getenv("SERVICELAB_CLUSTER_CIDR"); v != "" {
		c.ClusterCIDR = v
	}
	if v := os.Getenv("SERVICELAB_SERVICE_CIDR"); v != "" {
		c.ServiceCIDR = v
	}
	c.Token = os.Getenv("K3S_TOKEN")
	c.ServerURL = os.Getenv("K3S_URL")
	c.NodeName = os.Getenv("K3S_NODE_NAME")
	c.KubeconfigMode = os.Getenv("K3S_KUBECONFIG_MODE")
	c.KubeconfigOut = os.Getenv("K3S_KUBECONFIG_OUTPUT")
	if c.KubeconfigOut == "" {
		c.KubeconfigOut = KubeconfigOut
	}
	c.LogToStdout = os.Getenv("SERVICELAB_NODE_LOG") == "stdout"
	// k3s's agent refuses --disable-network-policy (it follows its server); ours follows its
	// server too (see startNetworkPolicy) unless this says otherwise.
	if os.Getenv("SERVICELAB_DISABLE_NETWORK_POLICY") == "true" {
		c.NetworkPolicy = false
	}
	if f := os.Getenv("K3S_TOKEN_FILE"); f != "" && c.Token == "" {
		if b, err := os.ReadFile(f); err == nil {
			c.Token = strings.TrimSpace(string(b))
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			warnf("ignoring unexpected argument %q", a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		} else if valueFlags[name] && i+1 < len(args) {
			i++
			val, hasVal = args[i], true
		}
		switch name {
		case "disable":
			for _, d := range strings.Split(val, ",") {
				if d = strings.TrimSpace(d); d != "" {
					c.Disabled[d] = true
				}
			}
		case "tls-san":
			for _, s := range strings.Split(val, ",") {
				if s = strings.TrimSpace(s); s != "" {
					c.TLSSANs = append(c.TLSSANs, s)
				}
			}
		case "node-name":
			c.NodeName = val
		case "node-ip":
			c.NodeIP = val
		case "cluster-cidr":
			c.ClusterCIDR = val
		case "service-cidr":
			c.ServiceCIDR = val
		case "cluster-dns":
			c.ClusterDNS = val
		case "token", "t":
			c.Token = val
		case "server", "s":
			c.ServerURL = val
		case "node-label":
			c.NodeLabels = append(c.NodeLabels, val)
		case "node-taint":
			c.NodeTaints = append(c.NodeTaints, val)
		case "write-kubeconfig-mode":
			c.KubeconfigMode = val
		case "write-kubeconfig", "o":
			c.KubeconfigOut = val
		case "kube-apiserver-arg", "kube-controller-manager-arg", "kube-scheduler-arg", "kubelet-arg", "kube-proxy-arg":
			comp := strings.TrimSuffix(name, "-arg")
			c.ExtraArgs[comp] = append(c.ExtraArgs[comp], "--"+strings.TrimPrefix(val, "--"))
		case "disable-network-policy", "disable-cloud-controller", "disable-helm-controller", "disable-kube-proxy",
			"secrets-encryption", "cluster-init", "debug", "with-node-id", "prefer-bundled-bin", "docker":
			switch name {
			case "disable-kube-proxy":
				c.Disabled["kube-proxy"] = true
			case "disable-network-policy":
				c.NetworkPolicy = false
			}
		default:
			if hasVal {
				warnf("ignoring unsupported flag --%s=%s", name, val)
			} else {
				warnf("ignoring unsupported flag --%s", name)
			}
		}
	}
	if err := c.checkLayout(); err != nil {
		return nil, err
	}
	if c.Mode == "agent" && c.ServerURL == "" {
		return nil, fmt.Errorf("agent needs K3S_URL (or --server) pointing at https://SERVER:6443")
	}
	if c.Mode == "agent" && c.Token == "" {
		return nil, fmt.Errorf("agent needs K3S_TOKEN (or --token): the server's token")
	}
	return c, nil
}

// checkLayout validates the address ranges and derives the DNS address.
func (c *Config) checkLayout() error {
	pods, err := netip.ParsePrefix(c.ClusterCIDR)
	if err != nil || !pods.Addr().Is4() || pods.Bits() > 22 {
		return fmt.Errorf("--cluster-cidr %q: give an IPv4 range of /22 or larger (each node takes a /24), e.g. 10.42.0.0/16", c.ClusterCIDR)
	}
	services, err := netip.ParsePrefix(c.ServiceCIDR)
	if err != nil || !services.Addr().Is4() || services.Bits() > 24 {
		return fmt.Errorf("--service-cidr %q: give an IPv4 range of /24 or larger, e.g. 10.43.0.0/16", c.ServiceCIDR)
	}
	if pods.Overlaps(services) {
		return fmt.Errorf("--cluster-cidr %s and --service-cidr %s overlap: choose separate ranges", c.ClusterCIDR, c.ServiceCIDR)
	}
	c.ClusterCIDR, c.ServiceCIDR = pods.Masked().String(), services.Masked().String()
	if c.ClusterDNS == "" {
		c.ClusterDNS = nthAddr(services.Masked(), 10).String()
	} else if dns, err := netip.ParseAddr(c.ClusterDNS); err != nil || !services.Contains(dns) {
		return fmt.Errorf("--cluster-dns %q: give an address inside --service-cidr %s", c.ClusterDNS, c.ServiceCIDR)
	}
	return nil
}

// nthAddr is the n-th address of an IPv4 range (1 is the API's Service).
func nthAddr(p netip.Prefix, n byte) netip.Addr {
	a := p.Addr().As4()
	a[3] += n
	return netip.AddrFrom4(a)
}

// BootstrapToken derives a Kubernetes bootstrap token (id.secret) from the
// k3s-style shared token, so that server and agent agree without talking.
func BootstrapToken(token string) (id, secret string) {
	sum := sha256.Sum256([]byte("servicelab-node-join:" + token))
	h := hex.EncodeToString(sum[:])
	return h[:6], h[6:22]
}
