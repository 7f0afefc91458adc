// Package flows is the node's flow observer: it watches connection tracking
// (the kernel's NAT table, where kube-proxy's DNAT of a Service address to a
// pod shows up) and streams the connections addressed to a Service as
// newline-delimited JSON over HTTP, for the platform's live traffic view.
// It runs inside the supervisor, so learners (who only get pods) cannot
// change what it reports, and it sees every workload, not only ones that
// say who they are.
package flows

import (
	"context"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Config says what counts as Service traffic and where to serve it.
type Config struct {
	ServiceCIDR  netip.Prefix // ClusterIPs
	PodCIDR      netip.Prefix // where DNAT sends Service traffic
	NodePortMin  uint16
	NodePortMax  uint16
	Listen       string // e.g. ":10290"
	TokenFile    string
	LocalAddrs   func() []netip.Addr // this node's addresses (NodePort, LoadBalancer ingress)
	Logf, Warnf  func(string, ...any)
	ReceiveBytes int // netlink receive buffer
}

// Observer turns conntrack events into flow lines and fans them out.
type Observer struct {
	cfg   Config
	local atomic.Pointer[[]netip.Addr]

	// ids of flows announced as "new" whose answer has not been seen yet;
	// true once a stray answer came (see handle).
	pending map[uint32]bool

	mu   sync.Mutex
	subs map[*subscriber]struct{}

	events   atomic.Uint64 // flow lines produced
	overruns atomic.Uint64 // ENOBUFS: the kernel dropped conntrack events
}

func New(cfg Config) *Observer {
	o := &Observer{cfg: cfg, pending: map[uint32]bool{}, subs: map[*subscriber]struct{}{}}
	o.refreshLocal()
	return o
}

func (o *Observer) refreshLocal() {
	a := o.cfg.LocalAddrs()
	o.local.Store(&a)
}

func (o *Observer) isLocal(a netip.Addr) bool {
	for _, l := range *o.local.Load() {
		if l == a {
			return true
		}
	}
	return false
}

// Service traffic: to a ClusterIP; or to this node's address on a NodePort
// or (LoadBalancer ingress = node address) DNATed to a pod.
func (o *Observer) interesting(c *Conn) bool {
	dst := c.OrigDst.Addr()
	if o.cfg.ServiceCIDR.Contains(dst) {
		return true
	}
	if !o.isLocal(dst) {
		return false
	}
	p := c.OrigDst.Port()
	return (p >= o.cfg.NodePortMin && p <= o.cfg.NodePortMax) || o.cfg.PodCIDR.Contains(c.ReplySrc.Addr())
}

// Run reads conntrack until ctx ends, reopening the socket if it fails
// (nf_conntrack may be loaded only once kube-proxy starts).
func (o *Observer) Run(ctx context.Context) {
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				o.refreshLocal()
			}
		}
	}()
	buf := make([]byte, 1<<20)
	for ctx.Err() == nil {
		s, err := openConntrack(o.cfg.ReceiveBytes)
		if err != nil {
			o.cfg.Warnf("flow observer: %v; retrying", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
			continue
		}
		o.cfg.Logf("flow observer: watching conntrack events")
		go func() { <-ctx.Done(); s.close() }()
		for ctx.Err() == nil {
			err := s.read(buf, o.handle)
			if err == errLost {
				o.overruns.Add(1)
				continue
			}
			if err != nil {
				if ctx.Err() == nil {
					o.cfg.Warnf("flow observer: reading conntrack: %v", err)
				}
				break
			}
		}
		s.close()
	}
}

func (o *Observer) handle(c *Conn) {
	now := time.Now().UnixMilli()
	switch c.Kind {
	case KindNew:
		if !o.interesting(c) {
			return
		}
		if len(o.pending) > 500_000 { // replies never seen for a long time: start over
			clear(o.pending)
		}
		o.pending[c.ID] = false
		if c.Status&ipsSeenReply != 0 { // not expected on NEW, but then it is answered already
			delete(o.pending, c.ID)
		}
		o.publish(newLine(now, c))
	case KindUpdate:
		if c.Status&ipsSeenReply == 0 {
			return
		}
		stray, ok := o.pending[c.ID]
		if !ok {
			return
		}
		// A SYN-ACK or a reset changes the TCP state, so its event carries one. A
		// first answer without a state change is no SYN-ACK: an ACK from a pod
		// socket in TIME_WAIT that the random SNAT port collided with. The client
		// resets and retries, conntrack makes a new entry (often with the same id),
		// and that one is the real flow; this one ends "unanswered".
		if c.Proto == 6 && (stray || c.TCPState == 0 || c.TCPState == tcpStateSynSent) {
			o.pending[c.ID] = true
			return
		}
		delete(o.pending, c.ID)
		res := "ok"
		if c.TCPState == tcpStateClose { // the first answer was a reset: nothing listens
			res = "reset"
		}
		o.publish(resultLine(now, "reply", c, res, false))
	case KindDestroy:
		_, waiting := o.pending[c.ID]
		if waiting {
			delete(o.pending, c.ID)
			o.publish(resultLine(now, "end", c, "unanswered", true))
		} else if o.interesting(c) {
			o.publish(resultLine(now, "end", c, "", true))
		}
	}
}

func proto(p uint8) string {
	switch p {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 132:
		return "sctp"
	}
	return strconv.Itoa(int(p))
}

// {"t":ms,"ev":"new","id":N,"p":"tcp","src":"ip:port","dst":"ip:port","to":"ip:port"}
func newLine(now int64, c *Conn) []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, now, 10)
	b = append(b, `,"ev":"new","id":`...)
	b = strconv.AppendUint(b, uint64(c.ID), 10)
	b = append(b, `,"p":"`...)
	b = append(b, proto(c.Proto)...)
	b = append(b, `","src":"`...)
	b = c.OrigSrc.AppendTo(b)
	b = append(b, `","dst":"`...)
	b = c.OrigDst.AppendTo(b)
	b = append(b, `","to":"`...)
	b = c.ReplySrc.AppendTo(b)
	return append(b, "\"}\n"...)
}

// {"t":ms,"ev":"reply"|"end","id":N[,"res":"ok"|"reset"|"unanswered"][,"bo":N,"br":N]}
// "end" lines carry the byte counters when accounting is on, and the tuple
// so that a reader who missed the "new" line can still place the flow.
func resultLine(now int64, ev string, c *Conn, res string, end bool) []byte {
	b := make([]byte, 0, 200)
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, now, 10)
	b = append(b, `,"ev":"`...)
	b = append(b, ev...)
	b = append(b, `","id":`...)
	b = strconv.AppendUint(b, uint64(c.ID), 10)
	if res != "" {
		b = append(b, `,"res":"`...)
		b = append(b, res...)
		b = append(b, '"')
	}
	if end {
		b = append(b, `,"p":"`...)
		b = append(b, proto(c.Proto)...)
		b = append(b, `","src":"`...)
		b = c.OrigSrc.AppendTo(b)
		b = append(b, `","dst":"`...)
		b = c.OrigDst.AppendTo(b)
		b = append(b, `","to":"`...)
		b = c.ReplySrc.AppendTo(b)
		b = append(b, '"')
		if c.BytesOrig+c.BytesReply > 0 {
			b = append(b, `,"bo":`...)
			b = strconv.AppendUint(b, c.BytesOrig, 10)
			b = append(b, `,"br":`...)
			b = strconv.AppendUint(b, c.BytesReply, 10)
		}
	}
	return append(b, "}\n"...)
}

func (o *Observer) publish(line []byte) {
	o.events.Add(1)
	o.mu.Lock()
	for s := range o.subs {
		select {
		case s.lines <- line:
		default:
			s.dropped.Add(1) // a slow reader loses lines, never blocks the observer
		}
	}
	o.mu.Unlock()
}
