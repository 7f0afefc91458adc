// Package netpol enforces networking.k8s.io/v1 NetworkPolicies on one node
// with iptables (filter table) and ipset, like k3s's embedded controller
// does, written for the kit. Compute is a pure function from the cluster's
// policies, pods and namespaces to the rules of this node's pods; the
// controller (controller.go) watches the API and applies them.
//
// Layout: chain SERVICELAB-NETPOL, hooked first from FORWARD (pod traffic,
// including pod to pod on one node's bridge with bridge-nf-call-iptables) and
// from INPUT (a pod's traffic to its node). Replies of accepted connections
// return at once. A local pod selected by a policy for egress gets a jump on
// its source address into its own SLNP-E-… chain, for ingress a jump on its
// destination address into SLNP-I-…; those chains RETURN what a rule
// admits and DROP the rest (a refused connection times out, as with
// kube-router). The chains never ACCEPT: what they let through still meets
// every later FORWARD rule (the platform's egress policy, kube-proxy).
package netpol

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const (
	// MainChain is hooked from FORWARD and INPUT.
	MainChain = "SERVICELAB-NETPOL"
	// Prefix names every per-pod chain and every address set.
	Prefix = "SLNP-"
)

// SetType is an ipset type.
type SetType string

const (
	SetIP     SetType = "hash:ip"      // pod addresses
	SetNet    SetType = "hash:net"     // an ipBlock; except entries carry "nomatch"
	SetIPPort SetType = "hash:ip,port" // pod address with a named port resolved: "10.42.0.5,tcp:8080"
)

// Set is an ipset; its name is derived from its content, so an unchanged set
// keeps its name and a changed one is a new set (swapped in atomically by the
// iptables-restore that references it).
type Set struct {
	Name    string
	Type    SetType
	Members []string
}

// Chain is one chain's rules, each the arguments after "-A NAME".
type Chain struct {
	Name  string
	Rules [][]string
}

// Ruleset is what one node enforces. Chains[0] is MainChain.
type Ruleset struct {
	Chains []Chain
	Sets   []Set
}

// Compute gives the rules for the pods on node (pods whose spec.nodeName is
// node). The pods list holds every pod of the cluster: peers are selected
// among them.
func Compute(node string, policies []*networkingv1.NetworkPolicy, pods []*corev1.Pod, namespaces []*corev1.Namespace) Ruleset {
	b := &builder{sets: map[string]Set{}, nsLabels: map[string]labels.Set{}}
	for _, ns := range namespaces {
		b.nsLabels[ns.Name] = ns.Labels
	}
	for _, p := range pods {
		if podHasAddress(p) {
			b.pods = append(b.pods, p)
		}
	}
	sort.Slice(b.pods, func(i, j int) bool { return key(b.pods[i]) < key(b.pods[j]) })
	pols := append([]*networkingv1.NetworkPolicy(nil), policies...)
	sort.Slice(pols, func(i, j int) bool {
		return pols[i].Namespace+"/"+pols[i].Name < pols[j].Namespace+"/"+pols[j].Name
	})

	main := Chain{Name: MainChain, Rules: [][]string{
		{"-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"},
	}}
	var ingressJumps, egressJumps [][]string
	var chains []Chain
	for _, pod := range b.pods {
		if pod.Spec.NodeName != node {
			continue
		}
		var in, out []*networkingv1.NetworkPolicy
		for _, pol := range pols {
			if pol.Namespace != pod.Namespace || !selects(pol.Spec.PodSelector, pod.Labels) {
				continue
			}
			ing, eg := policyTypes(pol)
			if ing {
				in = append(in, pol)
			}
			if eg {
				out = append(out, pol)
			}
		}
		ip := pod.Status.PodIP
		if len(out) > 0 {
			c := Chain{Name: podChain("E", pod)}
			for _, pol := range out {
				for i, r := range pol.Spec.Egress {
					c.Rules = append(c.Rules, b.egressRule(pol, i, r)...)
				}
			}
			c.Rules = append(c.Rules, []string{"-m", "comment", "--comment", key(pod) + " egress: no policy admits", "-j", "DROP"})
			chains = append(chains, c)
			egressJumps = append(egressJumps, []string{"-s", ip + "/32", "-j", c.Name})
		}
		if len(in) > 0 {
			c := Chain{Name: podChain("I", pod)}
			for _, pol := range in {
				for i, r := range pol.Spec.Ingress {
					c.Rules = append(c.Rules, b.ingressRule(pol, i, r, pod)...)
				}
			}
			c.Rules = append(c.Rules, []string{"-m", "comment", "--comment", key(pod) + " ingress: no policy admits", "-j", "DROP"})
			chains = append(chains, c)
			ingressJumps = append(ingressJumps, []string{"-d", ip + "/32", "-j", c.Name})
		}
	}
	// Egress first: a connection between two pods passes the sender's egress
	// and then the receiver's ingress.
	main.Rules = append(main.Rules, egressJumps...)
	main.Rules = append(main.Rules, ingressJumps...)
	rs := Ruleset{Chains: append([]Chain{main}, chains...)}
	for _, s := range b.sets {
		rs.Sets = append(rs.Sets, s)
	}
	sort.Slice(rs.Sets, func(i, j int) bool { return rs.Sets[i].Name < rs.Sets[j].Name })
	return rs
}

type builder struct {
	pods     []*corev1.Pod
	nsLabels map[string]labels.Set
	sets     map[string]Set
}

func podHasAddress(p *corev1.Pod) bool {
	if p.Spec.HostNetwork || p.Status.PodIP == "" {
		return false
	}
	if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
		return false
	}
	a, err := netip.ParseAddr(p.Status.PodIP)
	return err == nil && a.Is4()
}

func key(p *corev1.Pod) string { return p.Namespace + "/" + p.Name }

func podChain(dir string, p *corev1.Pod) string {
	return Prefix + dir + "-" + hash(key(p))[:16]
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// policyTypes follows the API's defaulting: Ingress always, Egress when the
// policy has egress rules, unless policyTypes says otherwise.
func policyTypes(p *networkingv1.NetworkPolicy) (ingress, egress bool) {
	if len(p.Spec.PolicyTypes) == 0 {
		return true, len(p.Spec.Egress) > 0
	}
	for _, t := range p.Spec.PolicyTypes {
		switch t {
		case networkingv1.PolicyTypeIngress:
			ingress = true
		case networkingv1.PolicyTypeEgress:
			egress = true
		}
	}
	return ingress, egress
}

// selects: an invalid selector selects nothing (the API refuses those anyway).
func selects(sel metav1.LabelSelector, l map[string]string) bool {
	s, err := metav1.LabelSelectorAsSelector(&sel)
	return err == nil && s.Matches(labels.Set(l))
}

func selectsPtr(sel *metav1.LabelSelector, l map[string]string) bool {
	return sel != nil && selects(*sel, l)
}

// peerPods are the pods a peer with a pod and/or namespace selector means.
func (b *builder) peerPods(polNS string, peer networkingv1.NetworkPolicyPeer) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range b.pods {
		if peer.NamespaceSelector != nil {
			if !selectsPtr(peer.NamespaceSelector, b.nsLabels[p.Namespace]) {
				continue
			}
		} else if p.Namespace != polNS {
			continue
		}
		if peer.PodSelector != nil && !selectsPtr(peer.PodSelector, p.Labels) {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (b *builder) addSet(t SetType, members []string) string {
	sort.Strings(members)
	members = dedupe(members)
	name := Prefix + hash(string(t)+"\n"+strings.Join(members, "\n"))[:16]
	b.sets[name] = Set{Name: name, Type: t, Members: members}
	return name
}

func dedupe(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// blockMembers turns an ipBlock into hash:net entries; ipset cannot hold a
// /0, so it becomes two /1s. IPv6 blocks do not apply (the cluster is IPv4).
func blockMembers(blk *networkingv1.IPBlock) []string {
	cidr, err := netip.ParsePrefix(blk.CIDR)
	if err != nil || !cidr.Addr().Is4() {
		return nil
	}
	var out []string
	add := func(p netip.Prefix, suffix string) {
		p = p.Masked()
		if p.Bits() == 0 {
			out = append(out, "0.0.0.0/1"+suffix, "128.0.0.0/1"+suffix)
			return
		}
		out = append(out, p.String()+suffix)
	}
	add(cidr, "")
	for _, e := range blk.Except {
		if ex, err := netip.ParsePrefix(e); err == nil && ex.Addr().Is4() {
			add(ex, " nomatch")
		}
	}
	return out
}

func inBlock(blk *networkingv1.IPBlock, ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	cidr, err := netip.ParsePrefix(blk.CIDR)
	if err != nil || !cidr.Contains(a) {
		return false
	}
	for _, e := range blk.Except {
		if ex, err := netip.ParsePrefix(e); err == nil && ex.Contains(a) {
			return false
		}
	}
	return true
}

// portMatch is the iptables match for one numeric port entry ("" port: all
// ports of the protocol).
func portMatch(proto string, port, endPort int32) []string {
	m := []string{"-p", proto}
	if port > 0 {
		if endPort > port {
			m = append(m, "--dport", fmt.Sprintf("%d:%d", port, endPort))
		} else {
			m = append(m, "--dport", strconv.Itoa(int(port)))
		}
	}
	return m
}

func proto(p networkingv1.NetworkPolicyPort) string {
	if p.Protocol == nil {
		return "tcp"
	}
	return strings.ToLower(string(*p.Protocol))
}

// namedPort is the number a pod's container declares for name and protocol.
func namedPort(p *corev1.Pod, name, proto string) (int32, bool) {
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			pr := "tcp"
			if cp.Protocol != "" {
				pr = strings.ToLower(string(cp.Protocol))
			}
			if cp.Name == name && pr == proto {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

func comment(pol *networkingv1.NetworkPolicy, dir string, i int) []string {
	return []string{"-m", "comment", "--comment", fmt.Sprintf("%s/%s %s rule %d", pol.Namespace, pol.Name, dir, i)}
}

// ingressRule admits sources to target (a pod on this node): named ports
// resolve against target's own containers.
func (b *builder) ingressRule(pol *networkingv1.NetworkPolicy, i int, r networkingv1.NetworkPolicyIngressRule, target *corev1.Pod) [][]string {
	var portMatches [][]string
	for _, p := range r.Ports {
		pr := proto(p)
		switch {
		case p.Port == nil:
			portMatches = append(portMatches, portMatch(pr, 0, 0))
		case p.Port.Type == intstr.Int:
			end := int32(0)
			if p.EndPort != nil {
				end = *p.EndPort
			}
			portMatches = append(portMatches, portMatch(pr, p.Port.IntVal, end))
		default:
			if n, ok := namedPort(target, p.Port.StrVal, pr); ok {
				portMatches = append(portMatches, portMatch(pr, n, 0))
			}
		}
	}
	if len(r.Ports) > 0 && len(portMatches) == 0 {
		return nil // only named ports this pod does not have: admits nothing
	}
	if len(portMatches) == 0 {
		portMatches = [][]string{nil}
	}
	peerMatches, ok := b.peerMatches(pol.Namespace, r.From, "src")
	if !ok {
		return nil
	}
	return cross(comment(pol, "ingress", i), peerMatches, portMatches)
}

// peerMatches are the address matches of a rule's peers; ok is false when
// the peers select no address at all (the rule admits nothing). No peers
// means every address: one empty match.
func (b *builder) peerMatches(polNS string, peers []networkingv1.NetworkPolicyPeer, dir string) ([][]string, bool) {
	if len(peers) == 0 {
		return [][]string{nil}, true
	}
	var podIPs []string
	var out [][]string
	for _, peer := range peers {
		if peer.IPBlock != nil {
			if m := blockMembers(peer.IPBlock); len(m) > 0 {
				out = append(out, []string{"-m", "set", "--match-set", b.addSet(SetNet, m), dir})
			}
			continue
		}
		for _, p := range b.peerPods(polNS, peer) {
			podIPs = append(podIPs, p.Status.PodIP)
		}
	}
	if len(podIPs) > 0 {
		out = append([][]string{{"-m", "set", "--match-set", b.addSet(SetIP, podIPs), dir}}, out...)
	}
	return out, len(out) > 0
}

// egressRule admits destinations from a pod on this node. A named port
// resolves against each destination pod: those become one hash:ip,port set
// of (pod address, protocol:port).
func (b *builder) egressRule(pol *networkingv1.NetworkPolicy, i int, r networkingv1.NetworkPolicyEgressRule) [][]string {
	var portMatches [][]string
	var named []networkingv1.NetworkPolicyPort
	for _, p := range r.Ports {
		pr := proto(p)
		switch {
		case p.Port == nil:
			portMatches = append(portMatches, portMatch(pr, 0, 0))
		case p.Port.Type == intstr.Int:
			end := int32(0)
			if p.EndPort != nil {
				end = *p.EndPort
			}
			portMatches = append(portMatches, portMatch(pr, p.Port.IntVal, end))
		default:
			named = append(named, p)
		}
	}
	c := comment(pol, "egress", i)
	var rules [][]string
	if len(portMatches) > 0 || len(r.Ports) == 0 {
		if len(portMatches) == 0 {
			portMatches = [][]string{nil}
		}
		if peerMatches, ok := b.peerMatches(pol.Namespace, r.To, "dst"); ok {
			rules = append(rules, cross(c, peerMatches, portMatches)...)
		}
	}
	if len(named) > 0 {
		var members []string
		for _, p := range b.egressDestinations(pol.Namespace, r.To) {
			for _, np := range named {
				pr := proto(np)
				if n, ok := namedPort(p, np.Port.StrVal, pr); ok {
					members = append(members, fmt.Sprintf("%s,%s:%d", p.Status.PodIP, pr, n))
				}
			}
		}
		if len(members) > 0 {
			set := b.addSet(SetIPPort, members)
			rules = append(rules, append(append([]string{}, c...), "-m", "set", "--match-set", set, "dst,dst", "-j", "RETURN"))
		}
	}
	return rules
}

// egressDestinations are the pods a rule's peers reach (every pod when it
// has none; for an ipBlock, the pods whose address it holds).
func (b *builder) egressDestinations(polNS string, peers []networkingv1.NetworkPolicyPeer) []*corev1.Pod {
	if len(peers) == 0 {
		return b.pods
	}
	seen := map[string]bool{}
	var out []*corev1.Pod
	for _, peer := range peers {
		var ps []*corev1.Pod
		if peer.IPBlock != nil {
			for _, p := range b.pods {
				if inBlock(peer.IPBlock, p.Status.PodIP) {
					ps = append(ps, p)
				}
			}
		} else {
			ps = b.peerPods(polNS, peer)
		}
		for _, p := range ps {
			if !seen[key(p)] {
				seen[key(p)] = true
				out = append(out, p)
			}
		}
	}
	return out
}

func cross(c []string, peers, ports [][]string) [][]string {
	var out [][]string
	for _, pm := range peers {
		for _, po := range ports {
			r := append(append(append([]string{}, c...), pm...), po...)
			out = append(out, append(r, "-j", "RETURN"))
		}
	}
	return out
}

// IptablesRestore renders rs for "iptables-restore --noflush": every chain
// of rs declared (which flushes it) and refilled; stale per-pod chains
// (existing names with Prefix that rs lacks) emptied and deleted.
func (rs Ruleset) IptablesRestore(stale []string) string {
	var sb strings.Builder
	sb.WriteString("*filter\n")
	want := map[string]bool{}
	for _, c := range rs.Chains {
		want[c.Name] = true
		fmt.Fprintf(&sb, ":%s - [0:0]\n", c.Name)
	}
	var drop []string
	for _, s := range stale {
		if !want[s] && strings.HasPrefix(s, Prefix) {
			drop = append(drop, s)
			fmt.Fprintf(&sb, ":%s - [0:0]\n", s)
		}
	}
	for _, c := range rs.Chains {
		for _, r := range c.Rules {
			sb.WriteString("-A " + c.Name)
			for _, a := range r {
				sb.WriteString(" " + quote(a))
			}
			sb.WriteString("\n")
		}
	}
	for _, s := range drop {
		sb.WriteString("-X " + s + "\n")
	}
	sb.WriteString("COMMIT\n")
	return sb.String()
}

func quote(a string) string {
	if a == "" || strings.ContainsAny(a, " \t\"'") {
		return strconv.Quote(a)
	}
	return a
}

// IpsetRestore renders the sets for "ipset restore -exist": created and
// filled; a set that exists already has the same content (its name is its
// content's hash).
func (rs Ruleset) IpsetRestore() string {
	var sb strings.Builder
	for _, s := range rs.Sets {
		fmt.Fprintf(&sb, "create %s %s family inet\n", s.Name, s.Type)
		for _, m := range s.Members {
			fmt.Fprintf(&sb, "add %s %s\n", s.Name, m)
		}
	}
	return sb.String()
}
