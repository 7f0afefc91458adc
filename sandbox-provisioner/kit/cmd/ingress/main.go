// Command ingress is ServiceLab's ingress controller, the sandbox's optional
// "ingress" addon: it watches Ingresses of its IngressClass, Services and
// EndpointSlices and proxies HTTP to the ready endpoints of the Service a
// rule names, the way an ingress controller does (k3s ships Traefik; this is
// the few hundred lines a lab needs, built offline like the rest of the kit).
//
// Routing (routes.go): host exact or "*." wildcard, pathType Exact or Prefix
// (element-wise; ImplementationSpecific counts as Prefix), longest path
// wins, defaultBackend when nothing matches. No match: 404 with a body that
// says so. A backend Service missing, without that port or without ready
// endpoints: 503 saying which. Every served Ingress gets the node's IP in
// status.loadBalancer, as k3s's controller does.
//
// Environment: LISTEN (":8080"), INGRESS_CLASS ("servicelab"), CONTROLLER
// ("servicelab.dev/ingress"), NODE_IP (the address written into status;
// the pod's hostIP through the downward API).
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	listerscore "k8s.io/client-go/listers/core/v1"
	listersdiscovery "k8s.io/client-go/listers/discovery/v1"
	listersnet "k8s.io/client-go/listers/networking/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
)

type controller struct {
	class      string
	controller string
	ingresses  listersnet.IngressLister
	classes    listersnet.IngressClassLister
	services   listerscore.ServiceLister
	slices     listersdiscovery.EndpointSliceLister
	next       atomic.Uint64
	proxy      *httputil.ReverseProxy
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	cfg, err := rest.InClusterConfig()
	if err != nil {
		log.Fatalf("in-cluster config: %v", err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	factory := informers.NewSharedInformerFactory(client, 10*time.Minute)
	c := &controller{
		class:      env("INGRESS_CLASS", "servicelab"),
		controller: env("CONTROLLER", "servicelab.dev/ingress"),
		ingresses:  factory.Networking().V1().Ingresses().Lister(),
		classes:    factory.Networking().V1().IngressClasses().Lister(),
		services:   factory.Core().V1().Services().Lister(),
		slices:     factory.Discovery().V1().EndpointSlices().Lister(),
	}
	c.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			target := r.In.Context().Value(targetKey{}).(*url.URL)
			r.SetURL(target)
			r.Out.Host = r.In.Host // the backend sees the host the client asked for
			r.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			problem(w, http.StatusBadGateway, fmt.Sprintf("ingress controller: the backend did not answer: %v\n", err))
		},
	}
	ingInformer := factory.Networking().V1().Ingresses().Informer()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	nodeIP := os.Getenv("NODE_IP")
	statusQueue := make(chan struct{}, 1)
	poke := func() {
		select {
		case statusQueue <- struct{}{}:
		default:
		}
	}
	handler := cache.ResourceEventHandlerFuncs{AddFunc: func(any) { poke() }, UpdateFunc: func(any, any) { poke() }}
	if _, err := ingInformer.AddEventHandler(handler); err != nil {
		log.Fatal(err)
	}
	if _, err := factory.Networking().V1().IngressClasses().Informer().AddEventHandler(handler); err != nil {
		log.Fatal(err)
	}
	factory.Core().V1().Services().Informer()
	factory.Discovery().V1().EndpointSlices().Informer()
	factory.Start(ctx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			log.Fatalf("cache for %v did not sync", typ)
		}
	}
	if nodeIP != "" {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-statusQueue:
					c.writeStatus(ctx, client, nodeIP)
				}
			}
		}()
		poke()
	}
	srv := &http.Server{Addr: env("LISTEN", ":8080"), Handler: c, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Printf("serving Ingresses of class %q on %s", c.class, srv.Addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

type targetKey struct{}

// served lists the Ingresses this controller is responsible for: its class by
// name (or by the legacy annotation), or no class while its class is the default.
func (c *controller) served() []*networkingv1.Ingress {
	all, _ := c.ingresses.List(labels.Everything())
	isDefault := false
	if ic, err := c.classes.Get(c.class); err == nil && ic.Spec.Controller == c.controller &&
		ic.Annotations[networkingv1.AnnotationIsDefaultIngressClass] == "true" {
		isDefault = true
	}
	var out []*networkingv1.Ingress
	for _, ing := range all {
		legacy, hasLegacy := ing.Annotations["kubernetes.io/ingress.class"]
		switch {
		case ing.Spec.IngressClassName != nil:
			if *ing.Spec.IngressClassName == c.class {
				out = append(out, ing)
			}
		case hasLegacy:
			if legacy == c.class {
				out = append(out, ing)
			}
		case isDefault:
			out = append(out, ing)
		}
	}
	return out
}

func (c *controller) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	backend, ok := Route(c.served(), r.Host, r.URL.Path)
	if !ok {
		problem(w, http.StatusNotFound, fmt.Sprintf("ingress controller: no Ingress rule matches host %q and path %q, and no Ingress has a defaultBackend.\n",
			stripPort(r.Host), r.URL.Path))
		return
	}
	svc, err := c.services.Services(backend.Namespace).Get(backend.Service)
	if err != nil {
		svc = nil
	}
	selector := labels.SelectorFromSet(labels.Set{discoveryv1.LabelServiceName: backend.Service})
	slices, _ := c.slices.EndpointSlices(backend.Namespace).List(selector)
	addrs, err := Endpoints(backend, svc, slices)
	if err != nil {
		problem(w, http.StatusServiceUnavailable, "ingress controller: "+err.Error()+"\n")
		return
	}
	target := &url.URL{Scheme: "http", Host: addrs[int(c.next.Add(1)-1)%len(addrs)]}
	c.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), targetKey{}, target)))
}

func problem(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Servicelab-Ingress", "no-backend")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// writeStatus puts the node's IP into every served Ingress's status (and
// clears it from Ingresses no longer served), like k3s's bundled controller.
func (c *controller) writeStatus(ctx context.Context, client kubernetes.Interface, nodeIP string) {
	served := map[string]bool{}
	for _, ing := range c.served() {
		served[ing.Namespace+"/"+ing.Name] = true
	}
	all, _ := c.ingresses.List(labels.Everything())
	for _, ing := range all {
		want := networkingv1.IngressLoadBalancerStatus{}
		if served[ing.Namespace+"/"+ing.Name] {
			want.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: nodeIP}}
		} else if !hasIP(ing, nodeIP) {
			continue // someone else's: leave it alone
		}
		if equality.Semantic.DeepEqual(ing.Status.LoadBalancer, want) {
			continue
		}
		upd := ing.DeepCopy()
		upd.Status.LoadBalancer = want
		if _, err := client.NetworkingV1().Ingresses(ing.Namespace).UpdateStatus(ctx, upd, metav1.UpdateOptions{}); err != nil {
			log.Printf("status of %s/%s: %v", ing.Namespace, ing.Name, err)
		}
	}
}

func hasIP(ing *networkingv1.Ingress, ip string) bool {
	for _, i := range ing.Status.LoadBalancer.Ingress {
		if i.IP == ip {
			return true
		}
	}
	return false
}
