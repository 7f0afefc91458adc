package node

import (
	"context"
	"net"
	"os"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// networkController is the pod network, flannel host-gw style: every node
// is on one L2 container network, so a route per peer node's podCIDR via its
// InternalIP is all cross-node pod traffic needs. It also writes this node's
// CNI config (bridge + host-local on its podCIDR) once the controller-manager
// has allocated one, and masquerades pod traffic that leaves the cluster.
func networkController(ctx context.Context, cs *kubernetes.Clientset, c *Config) {
	setupMasquerade(c.ClusterCIDR)
	// A node informer wakes the sync on every node change (a new node's
	// podCIDR must be routable before its pods get traffic).
	kick := make(chan struct{}, 1)
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	factory := informers.NewSharedInformerFactory(cs, 30*time.Second)
	inf := factory.Core().V1().Nodes().Informer()
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { poke() },
		UpdateFunc: func(old, cur any) { poke() },
		DeleteFunc: func(any) { poke() },
	})
	factory.Start(ctx.Done())
	lister := factory.Core().V1().Nodes().Lister()

	wroteCNI := false
	routes := map[string]string{} // cidr -> via
	poke()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		case <-time.After(30 * time.Second):
		}
		if !inf.HasSynced() {
			time.Sleep(200 * time.Millisecond)
			poke()
			continue
		}
		nodes, err := lister.List(labels.Everything())
		if err != nil {
			continue
		}
		seen := map[string]bool{}
		for _, n := range nodes {
			cidr := n.Spec.PodCIDR
			if cidr == "" {
				continue
			}
			if n.Name == c.NodeName {
				if !wroteCNI {
					if err := writeFile(CNIConfDir+"/10-servicelab.conflist", cniConfig(cidr), 0o644); err != nil {
						warnf("writing CNI config: %v", err)
					} else {
						wroteCNI = true
						logf("pod network: this node's podCIDR is %s (CNI bridge cni0)", cidr)
					}
				}
				continue
			}
			via := internalIP(n)
			if via == "" || via == c.NodeIP {
				continue
			}
			seen[cidr] = true
			if routes[cidr] == via {
				continue
			}
			if out, err := run("ip", "route", "replace", cidr, "via", via); err != nil {
				warnf("route %s via %s: %v %s", cidr, via, err, strings.TrimSpace(out))
				continue
			}
			routes[cidr] = via
			logf("pod network: route %s via %s (node %s)", cidr, via, n.Name)
		}
		for cidr, via := range routes {
			if !seen[cidr] {
				_, _ = run("ip", "route", "del", cidr, "via", via)
				delete(routes, cidr)
				logf("pod network: removed route %s", cidr)
			}
		}
	}
}

func internalIP(n *corev1.Node) string {
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP && net.ParseIP(a.Address).To4() != nil {
			return a.Address
		}
	}
	return ""
}

// setupMasquerade: pod-to-pod traffic keeps its source address (the
// externalTrafficPolicy lab depends on it); traffic leaving the pod network
// is masqueraded, like flannel does.
func setupMasquerade(clusterCIDR string) {
	rules := [][]string{
		{"-t", "nat", "-N", "SERVICELAB-POSTROUTING"},
		{"-t", "nat", "-F", "SERVICELAB-POSTROUTING"},
		{"-t", "nat", "-A", "SERVICELAB-POSTROUTING", "-s", clusterCIDR, "-d", clusterCIDR, "-j", "RETURN"},
		{"-t", "nat", "-A", "SERVICELAB-POSTROUTING", "-s", clusterCIDR, "!", "-d", "224.0.0.0/4", "-j", "MASQUERADE", "--random-fully"},
		{"-t", "filter", "-N", "SERVICELAB-FORWARD"},
		{"-t", "filter", "-F", "SERVICELAB-FORWARD"},
		{"-t", "filter", "-A", "SERVICELAB-FORWARD", "-s", clusterCIDR, "-j", "ACCEPT"},
		{"-t", "filter", "-A", "SERVICELAB-FORWARD", "-d", clusterCIDR, "-j", "ACCEPT"},
	}
	for _, r := range rules {
		_, _ = run("iptables", append([]string{"-w"}, r...)...)
	}
	for _, j := range [][]string{{"nat", "POSTROUTING", "SERVICELAB-POSTROUTING"}, {"filter", "FORWARD", "SERVICELAB-FORWARD"}} {
		if _, err := run("iptables", "-w", "-t", j[0], "-C", j[1], "-j", j[2]); err != nil {
			if out, err := run("iptables", "-w", "-t", j[0], "-A", j[1], "-j", j[2]); err != nil {
				warnf("iptables %v: %v %s", j, err, out)
			}
		}
	}
	_ = os.WriteFile("/proc/sys/net/ipv4/conf/all/route_localnet", []byte("1"), 0o644)
}
