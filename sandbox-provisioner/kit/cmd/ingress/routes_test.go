package main

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var (
	exact  = networkingv1.PathTypeExact
	prefix = networkingv1.PathTypePrefix
	impl   = networkingv1.PathTypeImplementationSpecific
)

type path struct {
	typ     *networkingv1.PathType
	path    string
	service string
}

func ingress(name string, age time.Duration, rules map[string][]path) *networkingv1.Ingress {
	ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: name,
		CreationTimestamp: metav1.NewTime(time.Unix(1_800_000_000, 0).Add(-age))}}
	for host, paths := range rules {
		rule := networkingv1.IngressRule{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{}}}
		for _, p := range paths {
			rule.HTTP.Paths = append(rule.HTTP.Paths, networkingv1.HTTPIngressPath{Path: p.path, PathType: p.typ,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: p.service,
					Port: networkingv1.ServiceBackendPort{Number: 80}}}})
		}
		ing.Spec.Rules = append(ing.Spec.Rules, rule)
	}
	return ing
}

func routeTo(t *testing.T, ings []*networkingv1.Ingress, host, reqPath string) string {
	t.Helper()
	b, ok := Route(ings, host, reqPath)
	if !ok {
		return "<404>"
	}
	return b.Service
}

func TestPrefixMatchesWholePathElementsOnly(t *testing.T) {
	ings := []*networkingv1.Ingress{ingress("a", 0, map[string][]path{"": {{&prefix, "/foo", "foo"}}})}
	for reqPath, want := range map[string]string{"/foo": "foo", "/foo/": "foo", "/foo/bar": "foo", "/foobar": "<404>", "/": "<404>"} {
		if got := routeTo(t, ings, "x", reqPath); got != want {
			t.Errorf("Prefix /foo, request %s: got %s, want %s", reqPath, got, want)
		}
	}
}

func TestPrefixIgnoresTheRulesTrailingSlash(t *testing.T) {
	ings := []*networkingv1.Ingress{ingress("a", 0, map[string][]path{"": {{&prefix, "/aaa/bbb/", "b"}}})}
	if got := routeTo(t, ings, "x", "/aaa/bbb"); got != "b" {
		t.Errorf("Prefix /aaa/bbb/ should match /aaa/bbb, got %s", got)
	}
}

func TestExactMatchesOnlyTheSameString(t *testing.T) {
	ings := []*networkingv1.Ingress{ingress("a", 0, map[string][]path{"": {{&exact, "/foo", "foo"}}})}
	for reqPath, want := range map[string]string{"/foo": "foo", "/foo/": "<404>", "/foo/bar": "<404>", "/FOO": "<404>"} {
		if got := routeTo(t, ings, "x", reqPath); got != want {
			t.Errorf("Exact /foo, request %s: got %s, want %s", reqPath, got, want)
		}
	}
}

func TestImplementationSpecificActsAsPrefix(t *testing.T) {
	ings := []*networkingv1.Ingress{ingress("a", 0, map[string][]path{"": {{&impl, "/api", "api"}}})}
	if got := routeTo(t, ings, "x", "/api/v1"); got != "api" {
		t.Errorf("ImplementationSpecific /api, request /api/v1: got %s", got)
	}
}

func TestLongestPathWinsAndExactBeatsPrefixOfSameLength(t *testing.T) {
	ings := []*networkingv1.Ingress{ingress("a", 0, map[string][]path{"": {
		{&prefix, "/", "root"}, {&prefix, "/api", "api"}, {&exact, "/api", "api-exact"}, {&prefix, "/api/admin", "admin"}}})}
	for reqPath, want := range map[string]string{"/": "root", "/shop": "root", "/api": "api-exact", "/api/x": "api", "/api/admin/1": "admin"} {
		if got := routeTo(t, ings, "x", reqPath); got != want {
			t.Errorf("request %s: got %s, want %s", reqPath, got, want)
		}
	}
}

func TestHostsExactBeforeWildcardBeforeNoHost(t *testing.T) {
	ings := []*networkingv1.Ingress{
		ingress("any", 0, map[string][]path{"": {{&prefix, "/", "any"}}}),
		ingress("wild", 0, map[string][]path{"*.shop.test": {{&prefix, "/", "wild"}}}),
		ingress("exact", 0, map[string][]path{"api.shop.test": {{&prefix, "/", "api"}}}),
	}
	for host, want := range map[string]string{
		"api.shop.test":    "api",
		"API.shop.test:80": "api",
		"www.shop.test":    "wild",
		"shop.test":        "any", // a wildcard needs one more label
		"a.b.shop.test":    "any", // and only one
		"somewhere.else":   "any",
		"api.shop.test.":   "api",
	} {
		if got := routeTo(t, ings, host, "/"); got != want {
			t.Errorf("host %s: got %s, want %s", host, got, want)
		}
	}
}

func TestAHostRuleDoesNotServeOtherHosts(t *testing.T) {
	ings := []*networkingv1.Ingress{ingress("a", 0, map[string][]path{"web.shop.test": {{&prefix, "/", "web"}}})}
	if got := routeTo(t, ings, "other.test", "/"); got != "<404>" {
		t.Errorf("host other.test: got %s, want no route", got)
	}
}

func TestDefaultBackendOfTheOldestIngressWhenNothingMatches(t *testing.T) {
	young := ingress("young", time.Minute, map[string][]path{"web.shop.test": {{&prefix, "/", "web"}}})
	young.Spec.DefaultBackend = &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "young-default"}}
	old := ingress("old", time.Hour, nil)
	old.Spec.DefaultBackend = &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "old-default"}}
	ings := []*networkingv1.Ingress{young, old}
	if got := routeTo(t, ings, "web.shop.test", "/"); got != "web" {
		t.Errorf("a matching rule beats the default backend, got %s", got)
	}
	if got := routeTo(t, ings, "nope.test", "/"); got != "old-default" {
		t.Errorf("no rule matches: got %s, want old-default", got)
	}
}

func service(ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}, Spec: corev1.ServiceSpec{Ports: ports}}
}

func slice(portName string, port int32, ready ...bool) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{Ports: []discoveryv1.EndpointPort{{Name: &portName, Port: &port}}}
	for i, r := range ready {
		r := r
		s.Endpoints = append(s.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.42.0." + string(rune('1'+i))},
			Conditions: discoveryv1.EndpointConditions{Ready: &r}})
	}
	return s
}

func TestEndpointsAreTheReadyAddressesOnTheTargetPort(t *testing.T) {
	b := Backend{Namespace: "shop", Service: "web", Port: 80, Rule: "r"}
	got, err := Endpoints(b, service(corev1.ServicePort{Name: "http", Port: 80}), []*discoveryv1.EndpointSlice{slice("http", 8080, true, false, true)})
	if err != nil || strings.Join(got, ",") != "10.42.0.1:8080,10.42.0.3:8080" {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestEndpointsByPortName(t *testing.T) {
	b := Backend{Namespace: "shop", Service: "web", PortName: "admin", Rule: "r"}
	svc := service(corev1.ServicePort{Name: "http", Port: 80}, corev1.ServicePort{Name: "admin", Port: 9000})
	got, err := Endpoints(b, svc, []*discoveryv1.EndpointSlice{slice("http", 8080, true), slice("admin", 9090, true)})
	if err != nil || strings.Join(got, ",") != "10.42.0.1:9090" {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestNoReadyEndpointsSaysSo(t *testing.T) {
	b := Backend{Namespace: "shop", Service: "web", Port: 80, Rule: "r"}
	_, err := Endpoints(b, service(corev1.ServicePort{Name: "http", Port: 80}), []*discoveryv1.EndpointSlice{slice("http", 8080, false)})
	if err == nil || !strings.Contains(err.Error(), "no ready endpoints") {
		t.Errorf("got %v", err)
	}
}

func TestAPortTheServiceDoesNotHaveSaysWhichItHas(t *testing.T) {
	b := Backend{Namespace: "shop", Service: "web", Port: 8080, Rule: "r"}
	_, err := Endpoints(b, service(corev1.ServicePort{Name: "http", Port: 80}), nil)
	if err == nil || !strings.Contains(err.Error(), "Service shop/web has no port 8080 (it has 80 (http))") {
		t.Errorf("got %v", err)
	}
}

func TestAMissingServiceSaysSo(t *testing.T) {
	_, err := Endpoints(Backend{Namespace: "shop", Service: "web", Port: 80, Rule: "r"}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("got %v", err)
	}
}
