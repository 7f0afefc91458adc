package node

import (
	"context"
	"net"
	"net/netip"

	"servicelab.dev/kit/internal/flows"
)

// FlowPort serves the flow observer's stream (see the kit README's contract).
const (
	FlowPort      = ":10290"
	FlowTokenFile = "/var/lib/servicelab/flows-token"
)

// startFlowObserver runs on every node (server and agent): each node sees the
// DNAT of the Service traffic that enters it.
func startFlowObserver(ctx context.Context, c *Config) {
	sysctlSet("net.netfilter.nf_conntrack_acct", "1") // byte counters on "end" lines; the observer works without
	o := flows.New(flows.Config{
		ServiceCIDR:  netip.MustParsePrefix(c.ServiceCIDR),
		PodCIDR:      netip.MustParsePrefix(c.ClusterCIDR),
		NodePortMin:  30000,
		NodePortMax:  32767,
		Listen:       FlowPort,
		TokenFile:    FlowTokenFile,
		LocalAddrs:   localAddrs,
		Logf:         logf,
		Warnf:        warnf,
		ReceiveBytes: 16 << 20,
	})
	go o.Run(ctx)
	go func() {
		if err := o.Serve(ctx); err != nil {
			warnf("flow observer: %v", err)
		}
	}()
}

func localAddrs() []netip.Addr {
	var out []netip.Addr
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP.To4()); ok && !ip.IsLoopback() {
				out = append(out, ip)
			}
		}
	}
	return out
}
