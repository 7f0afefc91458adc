package netpol

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const node = "node-a"

func pod(ns, name, nodeName, ip string, lbl map[string]string, ports ...corev1.ContainerPort) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbl},
		Spec:       corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: "c", Ports: ports}}},
		Status:     corev1.PodStatus{PodIP: ip, Phase: corev1.PodRunning},
	}
}

func ns(name string, lbl map[string]string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbl}}
}

func policy(ns, name string, sel map[string]string, spec networkingv1.NetworkPolicySpec) *networkingv1.NetworkPolicy {
	spec.PodSelector = metav1.LabelSelector{MatchLabels: sel}
	return &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
}

var (
	web     = pod("shop", "web", node, "10.42.0.10", map[string]string{"app": "web"}, corev1.ContainerPort{Name: "http", ContainerPort: 8080})
	other   = pod("shop", "db", node, "10.42.0.11", map[string]string{"app": "db"})
	remote  = pod("shop", "web-2", "node-b", "10.42.1.10", map[string]string{"app": "web"}, corev1.ContainerPort{Name: "http", ContainerPort: 9090})
	client  = pod("front", "client", "node-b", "10.42.1.20", map[string]string{"role": "client"})
	outside = pod("elsewhere", "client", node, "10.42.0.30", map[string]string{"role": "client"})
	allNS   = []*corev1.Namespace{ns("shop", nil), ns("front", map[string]string{"team": "front"}), ns("elsewhere", nil)}
	allPods = []*corev1.Pod{web, other, remote, client, outside}
)

func tcp() *corev1.Protocol { p := corev1.ProtocolTCP; return &p }
func udp() *corev1.Protocol { p := corev1.ProtocolUDP; return &p }

func chain(t *testing.T, rs Ruleset, name string) Chain {
	t.Helper()
	for _, c := range rs.Chains {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no chain %s in %v", name, rs.Chains)
	return Chain{}
}

func rules(c Chain) []string {
	var out []string
	for _, r := range c.Rules {
		out = append(out, strings.Join(r, " "))
	}
	return out
}

func set(t *testing.T, rs Ruleset, rule string) Set {
	t.Helper()
	f := strings.Fields(rule)
	for i, a := range f {
		if a == "--match-set" {
			for _, s := range rs.Sets {
				if s.Name == f[i+1] {
					return s
				}
			}
		}
	}
	t.Fatalf("no set in %q", rule)
	return Set{}
}

func TestPodsSelectedByNoPolicyAreOpen(t *testing.T) {
	rs := Compute(node, nil, allPods, allNS)
	if len(rs.Chains) != 1 || len(rs.Chains[0].Rules) != 1 || len(rs.Sets) != 0 {
		t.Fatalf("want only the main chain with its conntrack rule, got %v %v", rs.Chains, rs.Sets)
	}
	if got := rules(rs.Chains[0])[0]; got != "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN" {
		t.Fatalf("replies of allowed connections must pass first: %s", got)
	}
}

func TestDefaultDenyIngressDropsEverythingToSelectedLocalPodsOnly(t *testing.T) {
	deny := policy("shop", "deny", nil, networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}})
	rs := Compute(node, []*networkingv1.NetworkPolicy{deny}, allPods, allNS)
	main := rules(rs.Chains[0])
	want := []string{
		"-d 10.42.0.11/32 -j " + podChain("I", other),
		"-d 10.42.0.10/32 -j " + podChain("I", web),
	}
	if strings.Join(main[1:], "\n") != strings.Join(want, "\n") {
		t.Fatalf("main chain:\n%s\nwant jumps for the two local shop pods (not web-2 on node-b, not other namespaces):\n%s", strings.Join(main, "\n"), strings.Join(want, "\n"))
	}
	c := rules(chain(t, rs, podChain("I", web)))
	if len(c) != 1 || !strings.HasSuffix(c[0], "-j DROP") {
		t.Fatalf("a pod no rule admits drops everything: %v", c)
	}
}

func TestNamespaceSelectorAdmitsPodsOfMatchingNamespacesOnly(t *testing.T) {
	p := policy("shop", "from-front", map[string]string{"app": "web"}, networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
			{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "front"}}},
		}}},
	})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	c := rules(chain(t, rs, podChain("I", web)))
	if len(c) != 2 || !strings.Contains(c[0], " src -j RETURN") {
		t.Fatalf("want one admitting rule then DROP: %v", c)
	}
	if s := set(t, rs, c[0]); s.Type != SetIP || strings.Join(s.Members, ",") != "10.42.1.20" {
		t.Fatalf("admitted sources: %+v, want only front/client", s)
	}
	if len(rs.Chains) != 2 {
		t.Fatalf("db is not selected and must stay open: %v", rs.Chains)
	}
}

func TestPodAndNamespaceSelectorTogetherMeanBoth(t *testing.T) {
	p := policy("shop", "both", nil, networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: &metav1.LabelSelector{},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"role": "client"}},
		}}}},
	})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	c := rules(chain(t, rs, podChain("I", web)))
	if s := set(t, rs, c[0]); strings.Join(s.Members, ",") != "10.42.0.30,10.42.1.20" {
		t.Fatalf("clients of every namespace, no shop pods: %v", s.Members)
	}
}

func TestPodSelectorAloneMeansThePolicysNamespace(t *testing.T) {
	p := policy("shop", "same-ns", nil, networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{
			PodSelector: &metav1.LabelSelector{},
		}}}},
	})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	c := rules(chain(t, rs, podChain("I", web)))
	if s := set(t, rs, c[0]); strings.Join(s.Members, ",") != "10.42.0.10,10.42.0.11,10.42.1.10" {
		t.Fatalf("shop pods only: %v", s.Members)
	}
}

func TestIPBlockWithExceptAndTheWholeRange(t *testing.T) {
	p := policy("shop", "blocks", map[string]string{"app": "web"}, networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
			{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{"10.42.1.0/24"}}},
		}}},
	})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	c := rules(chain(t, rs, podChain("I", web)))
	s := set(t, rs, c[0])
	if s.Type != SetNet || strings.Join(s.Members, ",") != "0.0.0.0/1,10.42.1.0/24 nomatch,128.0.0.0/1" {
		t.Fatalf("ipset cannot hold /0 (two /1s) and except is nomatch: %+v", s)
	}
}

func TestPortsNumericNamedAndRanges(t *testing.T) {
	http := intstr.FromString("http")
	dns := intstr.FromInt32(53)
	low := intstr.FromInt32(30000)
	end := int32(30100)
	p := policy("shop", "ports", map[string]string{"app": "web"}, networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{
			{Port: &http},
			{Protocol: udp(), Port: &dns},
			{Protocol: tcp(), Port: &low, EndPort: &end},
		}}},
	})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	c := rules(chain(t, rs, podChain("I", web)))
	want := []string{"-p tcp --dport 8080 -j RETURN", "-p udp --dport 53 -j RETURN", "-p tcp --dport 30000:30100 -j RETURN", "-j DROP"}
	for i, w := range want {
		if !strings.HasSuffix(c[i], w) {
			t.Fatalf("rule %d: %s, want ...%s (all: %v)", i, c[i], w, c)
		}
	}
	// db declares no port "http": the named port admits nothing there, the others still apply.
	p.Spec.PodSelector = metav1.LabelSelector{}
	rs = Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	for _, r := range rules(chain(t, rs, podChain("I", other))) {
		if strings.Contains(r, "8080") {
			t.Fatalf("db has no port named http: %s", r)
		}
	}
}

func TestOnlyUnknownNamedPortsAdmitNothing(t *testing.T) {
	metrics := intstr.FromString("metrics")
	p := policy("shop", "named", map[string]string{"app": "web"}, networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{Port: &metrics}}}},
	})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	if c := rules(chain(t, rs, podChain("I", web))); len(c) != 1 {
		t.Fatalf("an unresolvable named port must not open every port: %v", c)
	}
}

func TestEgressDenyAndPolicyTypesDefaults(t *testing.T) {
	// Egress rules without policyTypes: the policy is Ingress and Egress.
	dns := intstr.FromInt32(53)
	p := policy("shop", "egress", map[string]string{"app": "web"}, networkingv1.NetworkPolicySpec{
		Egress: []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{Protocol: udp(), Port: &dns}}}},
	})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	main := rules(rs.Chains[0])
	if main[1] != "-s 10.42.0.10/32 -j "+podChain("E", web) || main[2] != "-d 10.42.0.10/32 -j "+podChain("I", web) {
		t.Fatalf("egress jump first, then ingress: %v", main)
	}
	e := rules(chain(t, rs, podChain("E", web)))
	if len(e) != 2 || !strings.HasSuffix(e[0], "-p udp --dport 53 -j RETURN") || !strings.HasSuffix(e[1], "-j DROP") {
		t.Fatalf("egress chain: %v", e)
	}
	// An egress-only policy leaves ingress open.
	p.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}
	rs = Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	if len(rs.Chains) != 2 || rs.Chains[1].Name != podChain("E", web) {
		t.Fatalf("egress only: %v", rs.Chains)
	}
}

func TestEgressNamedPortResolvesAgainstEachDestinationPod(t *testing.T) {
	http := intstr.FromString("http")
	p := policy("elsewhere", "to-web", nil, networkingv1.NetworkPolicySpec{
		PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
		Egress: []networkingv1.NetworkPolicyEgressRule{{
			To:    []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{}, PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}},
			Ports: []networkingv1.NetworkPolicyPort{{Port: &http}},
		}},
	})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	e := rules(chain(t, rs, podChain("E", outside)))
	if !strings.HasSuffix(e[0], "dst,dst -j RETURN") {
		t.Fatalf("named egress port: %v", e)
	}
	s := set(t, rs, e[0])
	if s.Type != SetIPPort || strings.Join(s.Members, ",") != "10.42.0.10,tcp:8080,10.42.1.10,tcp:9090" {
		t.Fatalf("each web pod with its own http port: %+v", s)
	}
}

func TestPeersSelectingNobodyAdmitNobody(t *testing.T) {
	p := policy("shop", "ghost", map[string]string{"app": "web"}, networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{
			{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "nobody"}}},
		}}},
	})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	if c := rules(chain(t, rs, podChain("I", web))); len(c) != 1 {
		t.Fatalf("no peer pod: only the DROP, got %v", c)
	}
}

func TestAnEmptyRuleAdmitsEverything(t *testing.T) {
	p := policy("shop", "allow-all", nil, networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{}}})
	rs := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	if c := rules(chain(t, rs, podChain("I", web))); !strings.HasSuffix(c[0], "rule 0 -j RETURN") {
		t.Fatalf("an empty rule admits all: %v", c)
	}
}

func TestFinishedAndHostNetworkPodsAreNeitherTargetsNorPeers(t *testing.T) {
	done := pod("shop", "job", node, "10.42.0.50", nil)
	done.Status.Phase = corev1.PodSucceeded
	host := pod("shop", "host", node, "172.18.0.2", nil)
	host.Spec.HostNetwork = true
	deny := policy("shop", "deny", nil, networkingv1.NetworkPolicySpec{})
	rs := Compute(node, []*networkingv1.NetworkPolicy{deny}, []*corev1.Pod{done, host}, allNS)
	if len(rs.Chains) != 1 {
		t.Fatalf("nothing to enforce: %v", rs.Chains)
	}
}

func TestComputeIsStableAndSetsAreContentNamed(t *testing.T) {
	p := policy("shop", "from-front", nil, networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{}}}}},
	})
	a := Compute(node, []*networkingv1.NetworkPolicy{p}, allPods, allNS)
	reversed := []*corev1.Pod{outside, client, remote, other, web}
	b := Compute(node, []*networkingv1.NetworkPolicy{p}, reversed, allNS)
	if a.IptablesRestore(nil) != b.IptablesRestore(nil) || a.IpsetRestore() != b.IpsetRestore() {
		t.Fatal("the same cluster must give the same rules whatever the listing order (no needless re-apply)")
	}
	if len(a.Sets) != 1 {
		t.Fatalf("two pods with the same peers share one set: %v", a.Sets)
	}
}

func TestRestoreTextDeclaresChainsAndDeletesStaleOnes(t *testing.T) {
	deny := policy("shop", "deny", map[string]string{"app": "web"}, networkingv1.NetworkPolicySpec{})
	rs := Compute(node, []*networkingv1.NetworkPolicy{deny}, allPods, allNS)
	text := rs.IptablesRestore([]string{podChain("I", web), "SLNP-I-GONE", "KUBE-FORWARD"})
	for _, want := range []string{
		"*filter\n:SERVICELAB-NETPOL - [0:0]\n:" + podChain("I", web) + " - [0:0]\n:SLNP-I-GONE - [0:0]\n",
		"-A " + podChain("I", web) + " -m comment --comment \"shop/web ingress: no policy admits\" -j DROP\n",
		"-X SLNP-I-GONE\nCOMMIT\n",
	} {
		if !strings.Contains(text, want) {
			t.Fatalf("restore text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "KUBE-FORWARD") {
		t.Fatal("only our own chains may be touched")
	}
}

func TestHookPositionCheck(t *testing.T) {
	ok := "-P FORWARD ACCEPT\n-A FORWARD -j SERVICELAB-EGRESS\n-A FORWARD -j SERVICELAB-NETPOL\n-A FORWARD -j KUBE-FORWARD\n"
	late := "-P FORWARD ACCEPT\n-A FORWARD -j KUBE-FORWARD\n-A FORWARD -j SERVICELAB-NETPOL\n"
	if !hookFirstEnough(ok, "FORWARD") || hookFirstEnough(late, "FORWARD") || hookFirstEnough("-P FORWARD ACCEPT\n", "FORWARD") {
		t.Fatal("the hook must come before any chain that may accept")
	}
}
