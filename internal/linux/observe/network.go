package observe

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
)

// NetWatch watches the sockets of one cgroup v2 directory (and the
// cgroups below it) with cgroup socket programs, which the kernel runs
// on the socket's own operation whatever network namespace the socket
// is in: a container on a bridge and one sharing the host's network are
// seen alike.
//
//	INET4_CONNECT, INET6_CONNECT   connect(2) on TCP and UDP sockets: the
//	                               destination address, port, protocol
//	UDP4_SENDMSG, UDP6_SENDMSG     sendto/sendmsg with an address on an
//	                               unconnected UDP socket
//	INET4_BIND, INET6_BIND         bind(2): the address and port asked
//	SOCK_OPS (TCP_LISTEN_CB)       a TCP socket entering LISTEN: the
//	                               address and port it listens on (after
//	                               an ephemeral port was chosen)
//	INET_SOCK_CREATE               a raw or ICMP socket: traffic the
//	                               hooks above never see
//
// Every program returns 1: it records, it never refuses. What the hooks
// cannot see is reported by Unseen, so that no caller calls a run clean
// that used a socket they are blind to. Sockets of other families
// (AF_PACKET needs CAP_NET_RAW, which the capability observer records)
// are not seen here.
type NetWatch struct {
	seen, stats *ebpf.Map
	progs       []*ebpf.Program
	links       []link.Link
}

// Endpoint is one address, port and protocol ("tcp" or "udp") a socket
// of the cgroup connected or sent to, or bound or listened on.
type Endpoint struct {
	Addr  netip.Addr // IPv4-mapped IPv6 addresses are unmapped
	Port  uint16
	Proto string
}

func (e Endpoint) String() string {
	return netip.AddrPortFrom(e.Addr, e.Port).String() + "/" + e.Proto
}

// Kinds of endpoint the programs record (the key's last word).
const (
	kindDestination = 1 // connect, sendmsg
	kindBound       = 2 // bind
	kindListening   = 3 // TCP LISTEN
)

// stats array slots: set to 1 when it happened.
const (
	statOverflow = 0 // the seen map was full: an endpoint was lost
	statRaw      = 1 // a SOCK_RAW inet socket was made
	statICMP     = 2 // an ICMP datagram ("ping") socket was made
	numStats     = 3
)

// maxEndpoints bounds the seen map; a run that fills it is reported by
// Unseen rather than cut short silently.
const maxEndpoints = 4096

// The seen map's key, 24 bytes on the program's stack at fp-24:
//
//	0  addr[16]  IPv4 in the first 4 bytes, network order
//	16 port      u16, network order
//	18 proto     u8, IPPROTO_TCP or IPPROTO_UDP
//	19 family    u8, 4 or 6
//	20 kind      u32, kindDestination, kindBound or kindListening
const (
	keySize   = 24
	keyOff    = -24
	valueOff  = -28 // the value (u32 1) below the key
	statKeyOf = -32 // a stats key below that
)

// Offsets in the programs' contexts (linux/bpf.h): struct bpf_sock_addr,
// struct bpf_sock_ops and struct bpf_sock, all u32 fields.
const (
	saUserIP4  = 4
	saUserIP6  = 8
	saUserPort = 24
	saProtocol = 36

	soOp         = 0
	soFamily     = 20
	soLocalIP4   = 28
	soLocalIP6   = 48
	soLocalPort  = 68 // host byte order, unlike the others
	soListenCB   = 11 // BPF_SOCK_OPS_TCP_LISTEN_CB
	afInet6      = 10
	ipprotoTCP   = 6
	ipprotoICMP  = 1
	ipprotoICMP6 = 58

	skType     = 8
	skProtocol = 12
	sockDgram  = 2
	sockRaw    = 3
)

// WatchNetwork loads the socket programs and attaches them to the cgroup
// v2 directory dir. An error names the attach type this host refused.
func WatchNetwork(dir string) (_ *NetWatch, err error) {
	w := &NetWatch{}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	if w.seen, err = ebpf.NewMap(&ebpf.MapSpec{Name: "ward_net_seen", Type: ebpf.Hash, KeySize: keySize, ValueSize: 4, MaxEntries: maxEndpoints}); err != nil {
		return nil, fmt.Errorf("learning needs BPF maps: create ward_net_seen: %w", err)
	}
	if w.stats, err = ebpf.NewMap(&ebpf.MapSpec{Name: "ward_net_stats", Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: numStats}); err != nil {
		return nil, fmt.Errorf("learning needs BPF maps: create ward_net_stats: %w", err)
	}
	seen, stats := w.seen.FD(), w.stats.FD()
	for _, p := range []struct {
		name   string
		typ    ebpf.ProgramType
		attach ebpf.AttachType
		insns  asm.Instructions
	}{
		{"connect4", ebpf.CGroupSockAddr, ebpf.AttachCGroupInet4Connect, sockAddrProgram(4, kindDestination, seen, stats)},
		{"connect6", ebpf.CGroupSockAddr, ebpf.AttachCGroupInet6Connect, sockAddrProgram(6, kindDestination, seen, stats)},
		{"sendmsg4", ebpf.CGroupSockAddr, ebpf.AttachCGroupUDP4Sendmsg, sockAddrProgram(4, kindDestination, seen, stats)},
		{"sendmsg6", ebpf.CGroupSockAddr, ebpf.AttachCGroupUDP6Sendmsg, sockAddrProgram(6, kindDestination, seen, stats)},
		{"bind4", ebpf.CGroupSockAddr, ebpf.AttachCGroupInet4Bind, sockAddrProgram(4, kindBound, seen, stats)},
		{"bind6", ebpf.CGroupSockAddr, ebpf.AttachCGroupInet6Bind, sockAddrProgram(6, kindBound, seen, stats)},
		{"listen", ebpf.SockOps, ebpf.AttachCGroupSockOps, listenProgram(seen, stats)},
		{"sock_create", ebpf.CGroupSock, ebpf.AttachCGroupInetSockCreate, sockCreateProgram(stats)},
	} {
		prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
			Name: "ward_" + p.name, Type: p.typ, AttachType: p.attach, License: "GPL", Instructions: p.insns,
		})
		if err != nil {
			return nil, fmt.Errorf("learning needs the cgroup socket program %s (%s): load: %w", p.name, p.attach, err)
		}
		w.progs = append(w.progs, prog)
		l, err := link.AttachCgroup(link.CgroupOptions{Path: dir, Attach: p.attach, Program: prog})
		if err != nil {
			return nil, fmt.Errorf("learning needs the cgroup socket hook %s on %s: attach: %w", p.attach, dir, err)
		}
		w.links = append(w.links, l)
	}
	return w, nil
}

// Destinations are the endpoints the cgroup's sockets connected or sent
// to; Listening those its TCP sockets listened on and its UDP sockets
// bound to a port of their choosing (a UDP server has no listen(2)).
func (w *NetWatch) Destinations() ([]Endpoint, error) { return w.endpoints(kindDestination) }

// Listening: see Destinations.
func (w *NetWatch) Listening() ([]Endpoint, error) {
	tcp, err := w.endpoints(kindListening)
	if err != nil {
		return nil, err
	}
	bound, err := w.endpoints(kindBound)
	if err != nil {
		return nil, err
	}
	for _, b := range bound {
		if b.Proto == "udp" && b.Port != 0 && !slices.Contains(tcp, b) {
			tcp = append(tcp, b)
		}
	}
	sortEndpoints(tcp)
	return tcp, nil
}

// Unseen names what the cgroup did that these hooks cannot see into:
// raw sockets, ICMP sockets, and endpoints lost to a full map. Empty
// means every TCP and UDP endpoint was recorded.
func (w *NetWatch) Unseen() ([]string, error) {
	var out []string
	for slot, what := range map[uint32]string{
		statOverflow: fmt.Sprintf("more than %d endpoints (the rest were not recorded)", maxEndpoints),
		statRaw:      "a raw socket",
		statICMP:     "an ICMP socket",
	} {
		var v uint32
		if err := w.stats.Lookup(slot, &v); err != nil {
			return nil, fmt.Errorf("read BPF map: %w", err)
		}
		if v != 0 {
			out = append(out, what)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (w *NetWatch) endpoints(kind uint32) ([]Endpoint, error) {
	var out []Endpoint
	var key [keySize]byte
	var value uint32
	it := w.seen.Iterate()
	for it.Next(&key, &value) {
		if binary.LittleEndian.Uint32(key[20:]) != kind {
			continue
		}
		out = append(out, decodeKey(key))
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("read BPF map: %w", err)
	}
	sortEndpoints(out)
	return slices.Compact(out), nil
}

func decodeKey(key [keySize]byte) Endpoint {
	e := Endpoint{Port: binary.BigEndian.Uint16(key[16:18]), Proto: "udp"}
	if key[18] == ipprotoTCP {
		e.Proto = "tcp"
	}
	if key[19] == 4 {
		e.Addr = netip.AddrFrom4([4]byte(key[:4]))
	} else {
		e.Addr = netip.AddrFrom16([16]byte(key[:16])).Unmap()
	}
	return e
}

func sortEndpoints(es []Endpoint) {
	slices.SortFunc(es, func(a, b Endpoint) int {
		if c := a.Addr.Compare(b.Addr); c != 0 {
			return c
		}
		if a.Port != b.Port {
			return int(a.Port) - int(b.Port)
		}
		switch {
		case a.Proto < b.Proto:
			return -1
		case a.Proto > b.Proto:
			return 1
		}
		return 0
	})
}

// Close detaches the programs and frees the maps.
func (w *NetWatch) Close() error {
	err := closeAll(w.links, w.progs, w.seen, w.stats)
	w.links, w.progs, w.seen, w.stats = nil, nil, nil, nil
	return err
}

// zeroKey clears the key on the stack: the verifier wants every byte a
// helper reads initialized, and the padding must not vary.
func zeroKey() asm.Instructions {
	return asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.Mov.Imm(asm.R1, 0),
		asm.StoreMem(asm.RFP, keyOff, asm.R1, asm.DWord),
		asm.StoreMem(asm.RFP, keyOff+8, asm.R1, asm.DWord),
		asm.StoreMem(asm.RFP, keyOff+16, asm.R1, asm.DWord),
	}
}

// copyWords copies n u32 fields of the context at off into the key at kOff.
func copyWords(off int16, n int, kOff int16) asm.Instructions {
	var p asm.Instructions
	for i := range int16(n) {
		p = append(p,
			asm.LoadMem(asm.R1, asm.R6, off+4*i, asm.Word),
			asm.StoreMem(asm.RFP, kOff+4*i, asm.R1, asm.Word),
		)
	}
	return p
}

// record puts the key in the seen map and flags an overflow when the
// map refuses it; it goes on to "out" or falls through.
func record(seen, stats int, family, kind int64) asm.Instructions {
	p := asm.Instructions{
		asm.StoreImm(asm.RFP, keyOff+19, family, asm.Byte),
		asm.StoreImm(asm.RFP, keyOff+20, kind, asm.Word),
		asm.StoreImm(asm.RFP, valueOff, 1, asm.Word),
		// Seen already (a UDP socket's every datagram): nothing to write.
		asm.LoadMapPtr(asm.R1, seen),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, keyOff),
		asm.FnMapLookupElem.Call(),
		asm.JNE.Imm(asm.R0, 0, "out"),
		asm.LoadMapPtr(asm.R1, seen),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, keyOff),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, valueOff),
		asm.Mov.Imm(asm.R4, 0), // BPF_ANY
		asm.FnMapUpdateElem.Call(),
		asm.JSGE.Imm(asm.R0, 0, "out"),
	}
	return append(p, flag(stats, statOverflow)...)
}

// flag sets stats[slot] to 1.
func flag(stats int, slot int64) asm.Instructions {
	return asm.Instructions{
		asm.StoreImm(asm.RFP, statKeyOf, slot, asm.Word),
		asm.LoadMapPtr(asm.R1, stats),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, statKeyOf),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.StoreImm(asm.R0, 0, 1, asm.Word),
	}
}

func out() asm.Instructions {
	return asm.Instructions{asm.Mov.Imm(asm.R0, 1).WithSymbol("out"), asm.Return()}
}

// sockAddrProgram records the user's address, port and the socket's
// protocol of a connect, sendmsg or bind hook of family 4 or 6.
func sockAddrProgram(family int64, kind int64, seen, stats int) asm.Instructions {
	p := zeroKey()
	if family == 4 {
		p = append(p, copyWords(saUserIP4, 1, keyOff)...)
	} else {
		p = append(p, copyWords(saUserIP6, 4, keyOff)...)
	}
	p = append(p,
		asm.LoadMem(asm.R1, asm.R6, saUserPort, asm.Word),
		asm.StoreMem(asm.RFP, keyOff+16, asm.R1, asm.Half),
		asm.LoadMem(asm.R1, asm.R6, saProtocol, asm.Word),
		asm.StoreMem(asm.RFP, keyOff+18, asm.R1, asm.Byte),
	)
	p = append(p, record(seen, stats, family, kind)...)
	return append(p, out()...)
}

// listenProgram records the local address and port of a TCP socket
// entering LISTEN (BPF_SOCK_OPS_TCP_LISTEN_CB, called by listen(2)).
func listenProgram(seen, stats int) asm.Instructions {
	p := zeroKey()
	p = append(p,
		asm.LoadMem(asm.R1, asm.R6, soOp, asm.Word),
		asm.JNE.Imm(asm.R1, soListenCB, "out"),
		asm.StoreImm(asm.RFP, keyOff+18, ipprotoTCP, asm.Byte),
		asm.LoadMem(asm.R1, asm.R6, soLocalPort, asm.Word),
		asm.HostTo(asm.BE, asm.R1, asm.Half),
		asm.StoreMem(asm.RFP, keyOff+16, asm.R1, asm.Half),
		asm.LoadMem(asm.R1, asm.R6, soFamily, asm.Word),
		asm.JEq.Imm(asm.R1, afInet6, "v6"),
	)
	p = append(p, copyWords(soLocalIP4, 1, keyOff)...)
	p = append(p, record(seen, stats, 4, kindListening)...)
	p = append(p, asm.Ja.Label("out"))
	v6 := copyWords(soLocalIP6, 4, keyOff)
	v6[0] = v6[0].WithSymbol("v6")
	p = append(p, v6...)
	p = append(p, record(seen, stats, 6, kindListening)...)
	return append(p, out()...)
}

// sockCreateProgram flags the inet sockets the other hooks cannot see
// into: SOCK_RAW, and SOCK_DGRAM with IPPROTO_ICMP or ICMPV6.
func sockCreateProgram(stats int) asm.Instructions {
	p := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.LoadMem(asm.R1, asm.R6, skType, asm.Word),
		asm.JEq.Imm(asm.R1, sockRaw, "raw"),
		asm.JNE.Imm(asm.R1, sockDgram, "out"),
		asm.LoadMem(asm.R1, asm.R6, skProtocol, asm.Word),
		asm.JEq.Imm(asm.R1, ipprotoICMP, "icmp"),
		asm.JEq.Imm(asm.R1, ipprotoICMP6, "icmp"),
		asm.Ja.Label("out"),
	}
	raw := flag(stats, statRaw)
	raw[0] = raw[0].WithSymbol("raw")
	p = append(p, raw...)
	p = append(p, asm.Ja.Label("out"))
	icmp := flag(stats, statICMP)
	icmp[0] = icmp[0].WithSymbol("icmp")
	p = append(p, icmp...)
	return append(p, out()...)
}
