//go:build linux

package flows

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

func attr(typ uint16, v []byte) []byte {
	b := make([]byte, 4, 4+len(v)+3)
	binary.NativeEndian.PutUint16(b, uint16(4+len(v)))
	binary.NativeEndian.PutUint16(b[2:], typ)
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func nested(typ uint16, parts ...[]byte) []byte {
	var v []byte
	for _, p := range parts {
		v = append(v, p...)
	}
	return attr(typ|0x8000, v)
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func tuple(typ uint16, src, dst string, sport, dport uint16) []byte {
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	return nested(typ,
		nested(ctaTupleIP, attr(ctaIPv4Src, s[:]), attr(ctaIPv4Dst, d[:])),
		nested(ctaTupleProto, attr(ctaProtoNum, []byte{6}), attr(ctaProtoSrc, be16(sport)), attr(ctaProtoDst, be16(dport))))
}

func TestParseConnReadsTheDNATOfAServiceConnection(t *testing.T) {
	var msg []byte
	msg = append(msg, tuple(ctaTupleOrig, "10.42.0.9", "10.43.7.7", 40000, 80)...)
	msg = append(msg, tuple(ctaTupleReply, "10.42.0.12", "10.42.0.9", 8080, 40000)...)
	msg = append(msg, attr(ctaID, be32(4242))...)
	msg = append(msg, attr(ctaStatus, be32(ipsSeenReply))...)
	msg = append(msg, nested(ctaProtoinfo, nested(ctaProtoinfoTCP, attr(ctaProtoinfoTCPState, []byte{tcpStateClose})))...)
	var c Conn
	if !parseConn(msg, &c) {
		t.Fatal("not parsed")
	}
	if c.ID != 4242 || c.Proto != 6 || c.OrigSrc.String() != "10.42.0.9:40000" || c.OrigDst.String() != "10.43.7.7:80" ||
		c.ReplySrc.String() != "10.42.0.12:8080" || c.Status&ipsSeenReply == 0 || c.TCPState != tcpStateClose {
		t.Fatalf("parsed %+v", c)
	}
}

func TestObserverReportsNewThenReplyOnceAndIgnoresOtherTraffic(t *testing.T) {
	o := New(Config{
		ServiceCIDR: netip.MustParsePrefix("10.43.0.0/16"), PodCIDR: netip.MustParsePrefix("10.42.0.0/16"),
		NodePortMin: 30000, NodePortMax: 32767,
		LocalAddrs: func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("172.18.0.2")} },
	})
	s := &subscriber{lines: make(chan []byte, 16)}
	o.subs[s] = struct{}{}
	ap := netip.MustParseAddrPort
	svc := Conn{Kind: KindNew, ID: 1, Proto: 6, OrigSrc: ap("10.42.0.9:1"), OrigDst: ap("10.43.0.5:80"), ReplySrc: ap("10.42.0.12:8080")}
	o.handle(&svc)
	podToPod := Conn{Kind: KindNew, ID: 2, Proto: 6, OrigSrc: ap("10.42.0.9:2"), OrigDst: ap("10.42.0.12:8080"), ReplySrc: ap("10.42.0.12:8080")}
	o.handle(&podToPod)
	nodePort := Conn{Kind: KindNew, ID: 3, Proto: 6, OrigSrc: ap("172.18.0.1:5"), OrigDst: ap("172.18.0.2:30080"), ReplySrc: ap("10.42.0.12:8080")}
	o.handle(&nodePort)
	upd := svc
	upd.Kind, upd.Status, upd.TCPState = KindUpdate, ipsSeenReply, 2
	o.handle(&upd)
	o.handle(&upd) // later state changes do not repeat the reply
	var got []string
	for len(s.lines) > 0 {
		got = append(got, string(<-s.lines))
	}
	if len(got) != 3 {
		t.Fatalf("lines %q", got)
	}
	want := []string{`"ev":"new","id":1,"p":"tcp","src":"10.42.0.9:1","dst":"10.43.0.5:80","to":"10.42.0.12:8080"`,
		`"ev":"new","id":3`, `"ev":"reply","id":1,"res":"ok"}`}
	for i, w := range want {
		if !contains(got[i], w) {
			t.Errorf("line %d = %s, want it to contain %s", i, got[i], w)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestAStrayAnswerInSynSentIsNoReply(t *testing.T) {
	o := New(Config{
		ServiceCIDR: netip.MustParsePrefix("10.43.0.0/16"), PodCIDR: netip.MustParsePrefix("10.42.0.0/16"),
		NodePortMin: 30000, NodePortMax: 32767,
		LocalAddrs: func() []netip.Addr { return []netip.Addr{netip.MustParseAddr("172.18.0.2")} },
	})
	s := &subscriber{lines: make(chan []byte, 16)}
	o.subs[s] = struct{}{}
	ap := netip.MustParseAddrPort
	c := Conn{Kind: KindNew, ID: 7, Proto: 6, OrigSrc: ap("172.18.0.1:5"), OrigDst: ap("172.18.0.2:30080"), ReplySrc: ap("10.42.0.12:8080")}
	o.handle(&c)
	stray := c
	stray.Kind, stray.Status, stray.TCPState = KindUpdate, ipsSeenReply, 0 // seen: no protoinfo in the event
	o.handle(&stray)
	closed := stray
	closed.TCPState = tcpStateClose
	o.handle(&closed) // the client's reset: still no answer
	gone := c
	gone.Kind = KindDestroy
	o.handle(&gone)
	var got []string
	for len(s.lines) > 0 {
		got = append(got, string(<-s.lines))
	}
	if len(got) != 2 || !contains(got[1], `"ev":"end","id":7,"res":"unanswered"`) {
		t.Fatalf("lines %q", got)
	}
}
