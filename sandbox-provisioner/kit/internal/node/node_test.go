package node

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseArgsK3sFlags(t *testing.T) {
	t.Setenv("K3S_TOKEN", "envtoken")
	c, err := ParseArgs("server", []string{
		"--disable=traefik", "--disable", "metrics-server,servicelb", "--tls-san=example.test",
		"--tls-san", "10.0.0.9,other.test", "--node-label=servicelab.dev/role=server",
		"--kube-apiserver-arg=v=2", "--some-unknown-flag", "--another-unknown=x",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"traefik", "metrics-server", "servicelb"} {
		if !c.Disabled[d] {
			t.Errorf("%s not disabled", d)
		}
	}
	if strings.Join(c.TLSSANs, ",") != "example.test,10.0.0.9,other.test" {
		t.Errorf("tls-san: %v", c.TLSSANs)
	}
	if c.Token != "envtoken" || c.NodeLabels[0] != "servicelab.dev/role=server" {
		t.Errorf("token/labels: %q %v", c.Token, c.NodeLabels)
	}
	if got := c.ExtraArgs["kube-apiserver"]; len(got) != 1 || got[0] != "--v=2" {
		t.Errorf("extra args: %v", got)
	}
}

func TestAgentNeedsURLAndToken(t *testing.T) {
	t.Setenv("K3S_URL", "")
	t.Setenv("K3S_TOKEN", "")
	if _, err := ParseArgs("agent", nil); err == nil {
		t.Fatal("agent without K3S_URL accepted")
	}
	t.Setenv("K3S_URL", "https://server:6443")
	if _, err := ParseArgs("agent", nil); err == nil {
		t.Fatal("agent without K3S_TOKEN accepted")
	}
	t.Setenv("K3S_TOKEN", "t")
	if _, err := ParseArgs("agent", nil); err != nil {
		t.Fatal(err)
	}
}

func TestBootstrapTokenFormat(t *testing.T) {
	id, secret := BootstrapToken("anything")
	if !regexp.MustCompile(`^[a-z0-9]{6}$`).MatchString(id) || !regexp.MustCompile(`^[a-z0-9]{16}$`).MatchString(secret) {
		t.Fatalf("not a bootstrap token: %s.%s", id, secret)
	}
	id2, secret2 := BootstrapToken("anything")
	if id != id2 || secret != secret2 {
		t.Fatal("not deterministic")
	}
}

func TestServingCertSANs(t *testing.T) {
	dir := t.TempDir()
	ca, err := ensureCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	spec := certSpec{name: "srv", cn: "kube-apiserver", server: true, dns: []string{"localhost", "kubernetes.default.svc", "example.test"}, ips: ipsOf("127.0.0.1", "172.17.0.2")}
	if err := ensureCert(ca, dir, spec); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "srv.crt"))
	blk, _ := pem.Decode(b)
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	for _, name := range []string{"example.test", "127.0.0.1", "172.17.0.2", "kubernetes.default.svc"} {
		if _, err := cert.Verify(x509.VerifyOptions{DNSName: name, Roots: pool}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Same spec: kept; another SAN: reissued.
	before, _ := os.ReadFile(filepath.Join(dir, "srv.crt"))
	_ = ensureCert(ca, dir, spec)
	same, _ := os.ReadFile(filepath.Join(dir, "srv.crt"))
	if string(before) != string(same) {
		t.Error("certificate reissued although nothing changed")
	}
	spec.dns = append(spec.dns, "new.test")
	_ = ensureCert(ca, dir, spec)
	changed, _ := os.ReadFile(filepath.Join(dir, "srv.crt"))
	if string(before) == string(changed) {
		t.Error("certificate not reissued for a new SAN")
	}
}

func TestKubeconfigLayout(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"ca.crt", "c.crt", "c.key"} {
		_ = os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600)
	}
	kc := kubeconfigEmbedded("https://127.0.0.1:6443", filepath.Join(dir, "ca.crt"), filepath.Join(dir, "c.crt"), filepath.Join(dir, "c.key"))
	for _, want := range []string{"server: https://127.0.0.1:6443", "current-context: default", "  name: default\n"} {
		if !strings.Contains(kc, want) {
			t.Errorf("kubeconfig lacks %q", want)
		}
	}
}

func TestLayoutDefaultsAreK3ss(t *testing.T) {
	c, err := ParseArgs("server", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClusterCIDR != "10.42.0.0/16" || c.ServiceCIDR != "10.43.0.0/16" || c.ClusterDNS != "10.43.0.10" {
		t.Errorf("layout: %s %s %s", c.ClusterCIDR, c.ServiceCIDR, c.ClusterDNS)
	}
}

func TestLayoutFlagsMoveTheRangesAndTheDNSAddress(t *testing.T) {
	c, err := ParseArgs("server", []string{"--cluster-cidr=10.52.0.0/16", "--service-cidr", "10.53.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ClusterCIDR != "10.52.0.0/16" || c.ServiceCIDR != "10.53.0.0/16" || c.ClusterDNS != "10.53.0.10" {
		t.Errorf("layout: %s %s %s", c.ClusterCIDR, c.ServiceCIDR, c.ClusterDNS)
	}
	if !strings.Contains(kubeProxyConfig("kc", c), "clusterCIDR: 10.52.0.0/16") {
		t.Error("kube-proxy keeps the default pod range")
	}
	if !strings.Contains(corednsManifest(nil, c.ClusterDNS), "clusterIP: 10.53.0.10") {
		t.Error("CoreDNS keeps the default address")
	}
}

func TestLayoutFlagsRefuseOverlapsAndBadRanges(t *testing.T) {
	for _, args := range [][]string{
		{"--cluster-cidr=10.42.0.0/16", "--service-cidr=10.42.128.0/20"},
		{"--cluster-cidr=not-a-range"},
		{"--cluster-cidr=10.42.0.0/24"},
		{"--cluster-dns=10.99.0.10"},
	} {
		if _, err := ParseArgs("server", args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestAnAgentTakesTheRangesFromItsEnvironment(t *testing.T) {
	t.Setenv("K3S_URL", "https://10.0.0.1:6443")
	t.Setenv("K3S_TOKEN", "t")
	t.Setenv("SERVICELAB_CLUSTER_CIDR", "10.142.0.0/16")
	t.Setenv("SERVICELAB_SERVICE_CIDR", "10.143.0.0/16")
	c, err := ParseArgs("agent", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClusterCIDR != "10.142.0.0/16" || c.ServiceCIDR != "10.143.0.0/16" || c.ClusterDNS != "10.143.0.10" {
		t.Errorf("layout: %s %s %s", c.ClusterCIDR, c.ServiceCIDR, c.ClusterDNS)
	}
}

func TestNetworkPolicyIsOnUnlessDisabled(t *testing.T) {
	t.Setenv("SERVICELAB_DISABLE_NETWORK_POLICY", "")
	c, err := ParseArgs("server", nil)
	if err != nil || !c.NetworkPolicy {
		t.Fatalf("k3s enforces NetworkPolicies by default: %v %v", c, err)
	}
	if c, _ = ParseArgs("server", []string{"--disable-network-policy"}); c.NetworkPolicy {
		t.Fatal("--disable-network-policy ignored")
	}
	t.Setenv("SERVICELAB_DISABLE_NETWORK_POLICY", "true")
	if c, _ = ParseArgs("server", nil); c.NetworkPolicy {
		t.Fatal("SERVICELAB_DISABLE_NETWORK_POLICY=true ignored")
	}
}
