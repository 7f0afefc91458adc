package node

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// One CA signs everything (serving and client certificates), like kubeadm's
// "ca": the agent only has to learn this one certificate to join.

type keyPair struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func writePEM(path string, typ string, der []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

func newKey() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }

func writeKey(path string, k crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der, 0o600)
}

func loadPair(certPath, keyPath string) (*keyPair, error) {
	cb, err := os.ReadFile(certPath)
	if err != nil {
		return nil, err
	}
	kb, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	cblk, _ := pem.Decode(cb)
	kblk, _ := pem.Decode(kb)
	if cblk == nil || kblk == nil {
		return nil, fmt.Errorf("bad PEM in %s or %s", certPath, keyPath)
	}
	cert, err := x509.ParseCertificate(cblk.Bytes)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(kblk.Bytes)
	if err != nil {
		return nil, err
	}
	return &keyPair{cert: cert, key: k.(crypto.Signer)}, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

func ensureCA(dir string) (*keyPair, error) {
	certPath, keyPath := filepath.Join(dir, "ca.crt"), filepath.Join(dir, "ca.key")
	if kp, err := loadPair(certPath, keyPath); err == nil {
		return kp, nil
	}
	k, err := newKey()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: fmt.Sprintf("servicelab-ca@%d", now.Unix())},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		return nil, err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return nil, err
	}
	if err := writeKey(keyPath, k); err != nil {
		return nil, err
	}
	return loadPair(certPath, keyPath)
}

type certSpec struct {
	name   string // file stem in dir
	cn     string
	orgs   []string
	client bool
	server bool
	dns    []string
	ips    []net.IP
}

// ensureCert (re)issues dir/name.crt unless an existing one has the same
// subject and SANs.
func ensureCert(ca *keyPair, dir string, s certSpec) error {
	certPath, keyPath := filepath.Join(dir, s.name+".crt"), filepath.Join(dir, s.name+".key")
	if kp, err := loadPair(certPath, keyPath); err == nil && sameCert(kp.cert, s) {
		return nil
	}
	k, err := newKey()
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: s.cn, Organization: s.orgs},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		DNSNames:     s.dns,
		IPAddresses:  s.ips,
	}
	if s.client {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	if s.server {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageServerAuth)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, k.Public(), ca.key)
	if err != nil {
		return err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	return writeKey(keyPath, k)
}

func sameCert(c *x509.Certificate, s certSpec) bool {
	if c.Subject.CommonName != s.cn || strings.Join(c.Subject.Organization, ",") != strings.Join(s.orgs, ",") {
		return false
	}
	if time.Until(c.NotAfter) < 30*24*time.Hour {
		return false
	}
	a := append([]string{}, c.DNSNames...)
	b := append([]string{}, s.dns...)
	for _, ip := range c.IPAddresses {
		a = append(a, ip.String())
	}
	for _, ip := range s.ips {
		b = append(b, ip.String())
	}
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, ",") == strings.Join(b, ",")
}

func ensureSAKey(dir string) error {
	keyPath, pubPath := filepath.Join(dir, "service-account.key"), filepath.Join(dir, "service-account.pub")
	if _, err := os.Stat(keyPath); err == nil {
		if _, err := os.Stat(pubPath); err == nil {
			return nil
		}
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	if err := writePEM(keyPath, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k), 0o600); err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return err
	}
	return writePEM(pubPath, "PUBLIC KEY", pub, 0o644)
}

// serverPKI creates the CA, the service-account key and every certificate
// the control plane and the server's own kubelet/kube-proxy use.
func serverPKI(c *Config) error {
	dir := tlsDir()
	ca, err := ensureCA(dir)
	if err != nil {
		return err
	}
	if err := ensureSAKey(dir); err != nil {
		return err
	}
	apiSvcIP := net.IP(nthAddr(netip.MustParsePrefix(c.ServiceCIDR), 1).AsSlice())
	dns := []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc." + ClusterDomain, c.NodeName}
	ips := []net.IP{net.ParseIP("127.0.0.1"), apiSvcIP}
	if ip := net.ParseIP(c.NodeIP); ip != nil {
		ips = append(ips, ip)
	}
	for _, san := range c.TLSSANs {
		if ip := net.ParseIP(san); ip != nil {
			if !containsIP(ips, ip) {
				ips = append(ips, ip)
			}
		} else if !containsStr(dns, san) {
			dns = append(dns, san)
		}
	}
	specs := []certSpec{
		{name: "serving-kube-apiserver", cn: "kube-apiserver", server: true, dns: dns, ips: ips},
		{name: "client-admin", cn: "system:admin", orgs: []string{"system:masters"}, client: true},
		{name: "client-kube-apiserver", cn: "system:kube-apiserver", orgs: []string{"system:masters"}, client: true},
		{name: "client-controller", cn: "system:kube-controller-manager", client: true},
		{name: "client-scheduler", cn: "system:kube-scheduler", client: true},
		{name: "client-kube-proxy", cn: "system:kube-proxy", client: true},
		{name: "client-supervisor", cn: "system:servicelab-supervisor", orgs: []string{"system:masters"}, client: true},
		{name: "client-kubelet", cn: "system:node:" + c.NodeName, orgs: []string{"system:nodes"}, client: true},
		{name: "serving-kubelet", cn: c.NodeName, server: true, dns: []string{c.NodeName, "localhost"}, ips: ipsOf(c.NodeIP, "127.0.0.1")},
	}
	for _, s := range specs {
		if err := ensureCert(ca, dir, s); err != nil {
			return fmt.Errorf("certificate %s: %w", s.name, err)
		}
	}
	return nil
}

func ipsOf(s ...string) []net.IP {
	var out []net.IP
	for _, x := range s {
		if ip := net.ParseIP(x); ip != nil {
			out = append(out, ip)
		}
	}
	return out
}

func containsIP(l []net.IP, ip net.IP) bool {
	for _, x := range l {
		if x.Equal(ip) {
			return true
		}
	}
	return false
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
