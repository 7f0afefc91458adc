//go:build linux

package flows

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ctnetlink constants (include/uapi/linux/netfilter/nfnetlink*.h). The
// standard library's syscall package is enough: no netlink module needed.
const (
	nfnlSubsysCtnetlink = 1
	ctMsgNew            = 0
	ctMsgDelete         = 2

	grpNew     = 1 // NFNLGRP_CONNTRACK_NEW
	grpUpdate  = 2 // NFNLGRP_CONNTRACK_UPDATE
	grpDestroy = 3 // NFNLGRP_CONNTRACK_DESTROY

	ctaTupleOrig     = 1
	ctaTupleReply    = 2
	ctaStatus        = 3
	ctaProtoinfo     = 4
	ctaCountersOrig  = 9
	ctaCountersReply = 10
	ctaID            = 12

	ctaTupleIP    = 1
	ctaTupleProto = 2
	ctaIPv4Src    = 1
	ctaIPv4Dst    = 2
	ctaProtoNum   = 1
	ctaProtoSrc   = 2
	ctaProtoDst   = 3

	ctaProtoinfoTCP      = 1
	ctaProtoinfoTCPState = 1
	ctaCountersBytes     = 2

	ipsSeenReply = 1 << 1

	tcpStateSynSent = 1
	tcpStateClose   = 8
)

// Kind is what happened to a connection.
type Kind uint8

const (
	KindNew     Kind = iota // first packet confirmed; NAT already chosen
	KindUpdate              // status or protocol state changed
	KindDestroy             // entry removed (timed out or closed)
)

// Conn is one conntrack event, IPv4 only (the cluster is IPv4).
type Conn struct {
	Kind       Kind
	ID         uint32
	Proto      uint8
	OrigSrc    netip.AddrPort
	OrigDst    netip.AddrPort
	ReplySrc   netip.AddrPort
	Status     uint32
	TCPState   uint8 // 0 when the event carries none
	BytesOrig  uint64
	BytesReply uint64
}

// socket is a netlink socket subscribed to conntrack's multicast groups.
type socket struct{ fd int }

func openConntrack(rcvbuf int) (*socket, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_NETFILTER)
	if err != nil {
		return nil, fmt.Errorf("netlink socket: %w", err)
	}
	// A burst of short connections makes several events each; the kernel
	// drops events (ENOBUFS) when the buffer fills, so make it large.
	// SO_RCVBUFFORCE ignores rmem_max (needs CAP_NET_ADMIN, which a node has).
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, rcvbuf); err != nil {
		_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
	}
	groups := uint32(1<<(grpNew-1) | 1<<(grpUpdate-1) | 1<<(grpDestroy-1))
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK, Groups: groups}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("netlink bind to conntrack groups: %w", err)
	}
	return &socket{fd: fd}, nil
}

// errLost means the kernel dropped events because the buffer was full.
var errLost = errors.New("conntrack events lost (ENOBUFS)")

// read blocks for the next batch of events and calls fn for each one.
func (s *socket) read(buf []byte, fn func(*Conn)) error {
	n, _, err := syscall.Recvfrom(s.fd, buf, 0)
	if err != nil {
		if errors.Is(err, syscall.ENOBUFS) {
			return errLost
		}
		if errors.Is(err, syscall.EINTR) {
			return nil
		}
		return err
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil {
		return nil // a truncated batch: skip it
	}
	var c Conn
	for i := range msgs {
		h := msgs[i].Header
		if h.Type>>8 != nfnlSubsysCtnetlink || len(msgs[i].Data) < 4 {
			continue
		}
		c = Conn{}
		switch h.Type & 0xff {
		case ctMsgNew:
			c.Kind = KindUpdate
			if h.Flags&(syscall.NLM_F_CREATE|syscall.NLM_F_EXCL) != 0 {
				c.Kind = KindNew
			}
		case ctMsgDelete:
			c.Kind = KindDestroy
		default:
			continue
		}
		if parseConn(msgs[i].Data[4:], &c) { // after struct nfgenmsg
			fn(&c)
		}
	}
	return nil
}

func (s *socket) close() { syscall.Close(s.fd) }

// parseConn fills c from ctnetlink attributes; false for non-IPv4 entries.
func parseConn(b []byte, c *Conn) bool {
	var ok bool
	eachAttr(b, func(typ uint16, v []byte) {
		switch typ {
		case ctaTupleOrig:
			var src, dst netip.AddrPort
			if src, dst, c.Proto, ok = parseTuple(v); ok {
				c.OrigSrc, c.OrigDst = src, dst
			}
		case ctaTupleReply:
			if src, _, _, good := parseTuple(v); good {
				c.ReplySrc = src
			}
		case ctaStatus:
			if len(v) >= 4 {
				c.Status = binary.BigEndian.Uint32(v)
			}
		case ctaID:
			if len(v) >= 4 {
				c.ID = binary.BigEndian.Uint32(v)
			}
		case ctaProtoinfo:
			eachAttr(v, func(t uint16, tcp []byte) {
				if t == ctaProtoinfoTCP {
					eachAttr(tcp, func(t uint16, s []byte) {
						if t == ctaProtoinfoTCPState && len(s) >= 1 {
							c.TCPState = s[0]
						}
					})
				}
			})
		case ctaCountersOrig, ctaCountersReply:
			eachAttr(v, func(t uint16, n []byte) {
				if t == ctaCountersBytes && len(n) >= 8 {
					if typ == ctaCountersOrig {
						c.BytesOrig = binary.BigEndian.Uint64(n)
					} else {
						c.BytesReply = binary.BigEndian.Uint64(n)
					}
				}
			})
		}
	})
	return ok
}

func parseTuple(b []byte) (src, dst netip.AddrPort, proto uint8, ok bool) {
	var sip, dip netip.Addr
	var sport, dport uint16
	eachAttr(b, func(typ uint16, v []byte) {
		switch typ {
		case ctaTupleIP:
			eachAttr(v, func(t uint16, a []byte) {
				if len(a) != 4 {
					return
				}
				if t == ctaIPv4Src {
					sip = netip.AddrFrom4([4]byte(a))
				} else if t == ctaIPv4Dst {
					dip = netip.AddrFrom4([4]byte(a))
				}
			})
		case ctaTupleProto:
			eachAttr(v, func(t uint16, p []byte) {
				switch {
				case t == ctaProtoNum && len(p) >= 1:
					proto = p[0]
				case t == ctaProtoSrc && len(p) >= 2:
					sport = binary.BigEndian.Uint16(p)
				case t == ctaProtoDst && len(p) >= 2:
					dport = binary.BigEndian.Uint16(p)
				}
			})
		}
	})
	if !sip.IsValid() || !dip.IsValid() {
		return src, dst, proto, false
	}
	return netip.AddrPortFrom(sip, sport), netip.AddrPortFrom(dip, dport), proto, true
}

// eachAttr walks netlink attributes (length and type in host order, 4-byte
// aligned), masking the nested and byte-order flags off the type.
func eachAttr(b []byte, fn func(typ uint16, v []byte)) {
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		typ := binary.NativeEndian.Uint16(b[2:]) & 0x3fff
		if l < 4 || l > len(b) {
			return
		}
		fn(typ, b[4:l])
		l = (l + 3) &^ 3
		if l > len(b) {
			return
		}
		b = b[l:]
	}
}
