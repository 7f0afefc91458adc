package main

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Backend is where a request goes: a Service port in the Ingress's namespace.
type Backend struct {
	Namespace string
	Service   string
	// Port is the Service port by number (PortName empty) or by name.
	Port     int32
	PortName string
	// Rule says which Ingress rule chose it, for error pages and logs.
	Rule string
}

func (b Backend) port() string {
	if b.PortName != "" {
		return b.PortName
	}
	return fmt.Sprint(b.Port)
}

// hostMatch ranks how a rule's host matches a request's host: 3 exact, 2
// wildcard, 1 a rule without host (matches every host), 0 no match. A
// wildcard "*.example.com" matches exactly one more DNS label, as the
// Ingress API defines it: "a.example.com", not "example.com" nor "a.b.example.com".
func hostMatch(rule, host string) int {
	switch {
	case rule == "":
		return 1
	case strings.EqualFold(rule, host):
		return 3
	case strings.HasPrefix(rule, "*."):
		suffix := rule[1:] // ".example.com"
		if len(host) > len(suffix) && strings.EqualFold(host[len(host)-len(suffix):], suffix) &&
			!strings.Contains(host[:len(host)-len(suffix)], ".") {
			return 2
		}
	}
	return 0
}

// pathMatch says whether a request path matches an Ingress path, and how
// long the match is (longer wins). Exact compares the whole string. Prefix
// (and ImplementationSpecific, treated as Prefix) matches element by
// element split on "/": "/foo" matches "/foo", "/foo/" and "/foo/bar" but
// not "/foobar"; a trailing "/" on the rule is ignored; "/" matches all.
func pathMatch(pathType networkingv1.PathType, rulePath, reqPath string) (bool, int) {
	if rulePath == "" {
		rulePath = "/"
	}
	if pathType == networkingv1.PathTypeExact {
		return rulePath == reqPath, len(rulePath)
	}
	ruleElems := elements(rulePath)
	reqElems := elements(reqPath)
	if len(ruleElems) > len(reqElems) {
		return false, 0
	}
	for i, e := range ruleElems {
		if reqElems[i] != e {
			return false, 0
		}
	}
	return true, len(strings.Join(ruleElems, "/"))
}

func elements(p string) []string {
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e != "" {
			out = append(out, e)
		}
	}
	return out
}

// candidate is one path of one rule that matches a request.
type candidate struct {
	host    int
	exact   bool
	length  int
	order   string
	backend Backend
}

func better(a, b candidate) bool {
	if a.host != b.host {
		return a.host > b.host
	}
	if a.length != b.length {
		return a.length > b.length
	}
	if a.exact != b.exact {
		return a.exact
	}
	return a.order < b.order
}

// Route picks the backend for a request among the Ingresses this controller
// serves: the rule whose host matches best (exact, then wildcard, then a
// rule with no host), then its longest matching path (Exact before Prefix
// at the same length). With no match, the defaultBackend of the oldest
// Ingress that has one. ok is false when nothing matches.
func Route(ingresses []*networkingv1.Ingress, host, path string) (Backend, bool) {
	host = stripPort(host)
	var best *candidate
	for _, ing := range ingresses {
		for ri, rule := range ing.Spec.Rules {
			hm := hostMatch(rule.Host, host)
			if hm == 0 || rule.HTTP == nil {
				continue
			}
			for pi, p := range rule.HTTP.Paths {
				pt := networkingv1.PathTypePrefix
				if p.PathType != nil && *p.PathType == networkingv1.PathTypeExact {
					pt = networkingv1.PathTypeExact
				}
				ok, length := pathMatch(pt, p.Path, path)
				if !ok {
					continue
				}
				c := candidate{host: hm, exact: pt == networkingv1.PathTypeExact, length: length,
					order:   fmt.Sprintf("%s/%s#%03d.%03d", ing.Namespace, ing.Name, ri, pi),
					backend: backendOf(ing, p.Backend, fmt.Sprintf("%s/%s host %q path %q (%s)", ing.Namespace, ing.Name, rule.Host, p.Path, pt))}
				if best == nil || better(c, *best) {
					best = &c
				}
			}
		}
	}
	if best != nil {
		return best.backend, true
	}
	sorted := append([]*networkingv1.Ingress(nil), ingresses...)
	sort.Slice(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return a.CreationTimestamp.Before(&b.CreationTimestamp)
		}
		return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
	})
	for _, ing := range sorted {
		if ing.Spec.DefaultBackend != nil {
			return backendOf(ing, *ing.Spec.DefaultBackend, ing.Namespace+"/"+ing.Name+" defaultBackend"), true
		}
	}
	return Backend{}, false
}

func backendOf(ing *networkingv1.Ingress, b networkingv1.IngressBackend, rule string) Backend {
	out := Backend{Namespace: ing.Namespace, Rule: rule}
	if b.Service != nil {
		out.Service = b.Service.Name
		out.Port = b.Service.Port.Number
		out.PortName = b.Service.Port.Name
	}
	return out
}

func stripPort(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// Endpoints resolves a backend to the addresses of its ready endpoints
// ("ip:port"), or says in words why there are none, the diagnosis first
// (clients and checks often show only the start of an error page).
func Endpoints(b Backend, svc *corev1.Service, slices []*discoveryv1.EndpointSlice) ([]string, error) {
	if b.Service == "" {
		return nil, fmt.Errorf("no Service backend (resource backends are not supported) in %s", b.Rule)
	}
	if svc == nil {
		return nil, fmt.Errorf("Service %s/%s does not exist; %s sends there", b.Namespace, b.Service, b.Rule)
	}
	var sp *corev1.ServicePort
	var ports []string
	for i := range svc.Spec.Ports {
		p := &svc.Spec.Ports[i]
		ports = append(ports, portLabel(*p))
		if (b.PortName != "" && p.Name == b.PortName) || (b.PortName == "" && p.Port == b.Port) {
			sp = p
		}
	}
	if sp == nil {
		return nil, fmt.Errorf("Service %s/%s has no port %s (it has %s); %s sends there",
			b.Namespace, b.Service, b.port(), strings.Join(ports, ", "), b.Rule)
	}
	var out []string
	for _, s := range slices {
		var target int32 = -1
		for _, p := range s.Ports {
			if p.Port != nil && p.Name != nil && *p.Name == sp.Name {
				target = *p.Port
			}
		}
		if target < 0 {
			continue
		}
		for _, e := range s.Endpoints {
			if e.Conditions.Ready != nil && !*e.Conditions.Ready {
				continue
			}
			for _, a := range e.Addresses {
				out = append(out, fmt.Sprintf("%s:%d", a, target))
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Service %s/%s has no ready endpoints (does its selector match Ready pods?); %s sends there",
			b.Namespace, b.Service, b.Rule)
	}
	sort.Strings(out)
	return out, nil
}

func portLabel(p corev1.ServicePort) string {
	if p.Name != "" {
		return fmt.Sprintf("%d (%s)", p.Port, p.Name)
	}
	return fmt.Sprint(p.Port)
}
