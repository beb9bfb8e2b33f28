package firewall

import (
	"encoding/binary"
	"net/netip"

	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// The helpers below build nftables expressions the way nft(8) would
// compile the same text; each comment shows that text. Matches load into
// register 1; the NAT target uses registers 1 and 2.

type match []expr.Any

// all concatenates matches into one rule body.
func all(ms ...match) match {
	var out match
	for _, m := range ms {
		out = append(out, m...)
	}
	return out
}

func then(m match, v expr.Any) []expr.Any { return append(append(match{}, m...), v) }

var (
	accept = &expr.Verdict{Kind: expr.VerdictAccept}
	drop   = &expr.Verdict{Kind: expr.VerdictDrop}
	ret    = &expr.Verdict{Kind: expr.VerdictReturn}
)

func jump(chain string) expr.Any { return &expr.Verdict{Kind: expr.VerdictJump, Chain: chain} }
func goTo(chain string) expr.Any { return &expr.Verdict{Kind: expr.VerdictGoto, Chain: chain} }
func cmp(op expr.CmpOp, data []byte) expr.Any {
	return &expr.Cmp{Op: op, Register: 1, Data: data}
}

func ifname(name string) []byte {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, name)
	return b
}

// iif: iifname NAME
func iif(name string) match {
	return match{&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1}, cmp(expr.CmpOpEq, ifname(name))}
}

// oif: oifname NAME; oifNot: oifname != NAME
func oif(name string) match {
	return match{&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1}, cmp(expr.CmpOpEq, ifname(name))}
}

func oifNot(name string) match {
	return match{&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1}, cmp(expr.CmpOpNeq, ifname(name))}
}

// family: meta nfproto ipv4|ipv6, the guard nft adds before any ip or ip6
// match in the inet family, without which an IPv6 header would be read at
// IPv4 offsets.
func family(a netip.Addr) match {
	proto := byte(unix.NFPROTO_IPV4)
	if a.Is6() {
		proto = unix.NFPROTO_IPV6
	}
	return match{&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, cmp(expr.CmpOpEq, []byte{proto})}
}

// l4: meta l4proto tcp|udp
func l4(proto string) match {
	p := byte(unix.IPPROTO_TCP)
	if proto == "udp" {
		p = unix.IPPROTO_UDP
	}
	return match{&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, cmp(expr.CmpOpEq, []byte{p})}
}

// dport: th dport PORT (after l4)
func dport(port uint16) match {
	return match{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		cmp(expr.CmpOpEq, binaryutil.BigEndian.PutUint16(port)),
	}
}

type side int

const (
	src side = iota
	dst
)

// addrIn: ip saddr|daddr PREFIX (or ip6), with its family guard.
func addrIn(s side, p netip.Prefix) match {
	m := family(p.Addr())
	if p.Bits() == 0 {
		return m
	}
	off, n := uint32(12), uint32(4)
	if p.Addr().Is6() {
		off, n = 8, 16
	}
	if s == dst {
		off += n
	}
	m = append(m, &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: n})
	if p.Bits() != p.Addr().BitLen() {
		mask := netip.PrefixFrom(p.Addr(), p.Bits()).Masked() // ensure canonical
		m = append(m, &expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: n,
			Mask: prefixMask(p.Bits(), int(n)), Xor: make([]byte, n)})
		return append(m, cmp(expr.CmpOpEq, mask.Addr().AsSlice()))
	}
	return append(m, cmp(expr.CmpOpEq, p.Addr().AsSlice()))
}

// loadAddr loads ip saddr|daddr (IPv4, after a family guard) for a lookup.
func loadAddr(s side) expr.Any {
	off := uint32(12)
	if s == dst {
		off = 16
	}
	return &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: 4}
}

func addrIs(s side, a netip.Addr) match { return addrIn(s, netip.PrefixFrom(a, a.BitLen())) }

func prefixMask(bits, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		switch {
		case bits >= 8:
			b[i] = 0xff
			bits -= 8
		case bits > 0:
			b[i] = byte(0xff << (8 - bits))
			bits = 0
		}
	}
	return b
}

// ctState: ct state BITS (any of them)
func ctState(bits uint32) match {
	return match{
		&expr.Ct{Key: expr.CtKeySTATE, Register: 1},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
			Mask: binaryutil.NativeEndian.PutUint32(bits), Xor: make([]byte, 4)},
		cmp(expr.CmpOpNeq, make([]byte, 4)),
	}
}

// ipsDstNAT is IPS_DST_NAT from linux/netfilter/nf_conntrack_common.h.
const ipsDstNAT = 1 << 5

// ctDNAT: ct status dnat, that is a published port
func ctDNAT() match {
	return match{
		&expr.Ct{Key: expr.CtKeySTATUS, Register: 1},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
			Mask: binaryutil.NativeEndian.PutUint32(ipsDstNAT), Xor: make([]byte, 4)},
		cmp(expr.CmpOpNeq, make([]byte, 4)),
	}
}

// localDest: fib daddr type local, any address of this namespace
func localDest() match {
	return match{
		&expr.Fib{Register: 1, FlagDADDR: true, ResultADDRTYPE: true},
		cmp(expr.CmpOpEq, binaryutil.NativeEndian.PutUint32(unix.RTN_LOCAL)),
	}
}

// Bridge family, at the link layer.

const (
	etherTypeIPv4 = 0x0800
	etherTypeARP  = 0x0806
)

// etherType: ether type TYPE (op eq or neq)
func etherType(op expr.CmpOp, t uint16) match {
	return match{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseLLHeader, Offset: 12, Len: 2},
		cmp(op, binary.BigEndian.AppendUint16(nil, t)),
	}
}

// payloadIs: the given header field equals want
func payloadIs(base expr.PayloadBase, off uint32, want []byte) match {
	return match{
		&expr.Payload{DestRegister: 1, Base: base, Offset: off, Len: uint32(len(want))},
		cmp(expr.CmpOpEq, want),
	}
}

// payloadNot: the given header field differs from want
func payloadNot(base expr.PayloadBase, off uint32, want []byte) match {
	return match{
		&expr.Payload{DestRegister: 1, Base: base, Offset: off, Len: uint32(len(want))},
		cmp(expr.CmpOpNeq, want),
	}
}
