// API CHANGE (H3): Endpoint has an optional MAC (nil means link.MACFor(Addr),
// the MAC link.Attach gives a container by default); the bridge table pins
// the host veth port to it. Network.Egress/Ingress apply to an endpoint
// whose own policy is unrestricted.

// Package firewall writes ward's nftables tables from a declared State:
// the whole desired state goes in, ward's own tables come out matching it after
// one netlink batch, which the kernel applies atomically: a crash cannot
// leave half a rule set, and Apply with the same State twice changes
// nothing. When the new State only adds containers to what the tables
// already hold, the batch only adds their rules (state.go): the same rule
// set a rebuild would write, without the kernel's grace period that any
// batch deleting something waits for (~11.5 ms, most of a container's
// start on a bridge otherwise).
//
// Apply works on the network namespace of the calling thread: the engine's
// host namespace, or a test's namespace entered with netns.Do. It never
// touches a table it did not create, nor iptables: other firewalls on the
// host (Docker's among them) keep their own tables on the same hooks.
//
// # The rule set
//
// Two tables, "inet ward" and "bridge ward".
//
// The bridge table is stateless anti-spoofing. Its prerouting chain, ahead
// of br_netfilter, looks the input port up in a verdict map and goes to
// that container's port-VETH chain, which drops frames whose Ethernet
// source is not the container's MAC, ARP that claims another MAC or IPv4
// address, IPv4 from another source address, and every other ether type
// (IPv6, VLAN tags). The rule keys on the port, which a process inside the
// container cannot change, even as root with NET_ADMIN: changing its
// address or MAC only gets its frames dropped (and the bridge never learns
// the stolen MAC). That is what makes a container's IPv4 address a
// trusted identity for the inet table.
//
// The inet table is stateful policy by address. The bridge family cannot
// track connections on this kernel (no NF_CONNTRACK_BRIDGE), so traffic
// between two containers on one bridge is sent through the inet hooks by
// br_netfilter (link.EnsureBridge sets bridge-nf-call-iptables=1), where
// conntrack works. Its chains:
//
//	prerouting, forward,     base chains, policy accept, so traffic that
//	output                   is not ward's is left to the host's firewall;
//	                         ct state established,related is accepted
//	egress                   from prerouting, for everything a container
//	                         sends (forwarded or to the host itself): a
//	                         verdict map by source address to the
//	                         container's eg- chain (or accept when it is
//	                         unrestricted), drop for an address no
//	                         endpoint owns
//	eg-VETH                  a restricted egress policy: allowed
//	                         destinations return, the rest is dropped
//	from-BRIDGE              forwarded from a bridge: the same bridge goes
//	                         to ingress; another ward bridge only for a
//	                         published port (ct status dnat), else drop,
//	                         which isolates networks; out unless --internal
//	to-BRIDGE                forwarded from a non-ward link: dropped for
//	                         --internal, else to ingress
//	ingress, in-VETH         from forward and from the host (output): a
//	                         verdict map by destination address; allowed
//	                         sources and the container's published ports
//	                         (publishing is itself an allow) accept, the
//	                         rest is dropped
//	prerouting-nat,          published ports: DNAT through two maps, from
//	output-nat               any local address (fib daddr type local) or
//	                         from the given host IP
//	postrouting-nat          masquerade the subnet out of other links
//	                         (not for --internal), loopback sources out of
//	                         the bridge (127.0.0.1 publishing, with
//	                         route_localnet), and a container reaching its
//	                         own published port (hairpin, a set)
//
// Everything a container brings is a chain of its own or an element of a
// named map or set (egress-by-addr, ingress-by-addr, dnat-any, dnat-addr,
// hairpin; port-by-iif in the bridge table), never a rule in a shared
// chain, so adding a container to installed tables is a batch that only
// adds (state.go).
//
// Egress is judged in prerouting, before DNAT rewrites the destination:
// a policy speaks of what the container dialed, so allowing a published
// port by the host address the container connects to works, and the
// container's own address, not a DNAT, decides. Ingress is judged after
// DNAT, on the container's real address and port. Both apply to the first
// packet of a connection: replies, and connections opened before a policy
// changed, pass as ct state established.
package firewall

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/network/link"
	"github.com/wardproject/ward/internal/network/netpolicy"
)

// Network is one ward network as the firewall sees it.
type Network struct {
	Name, Bridge string
	Subnet       netip.Prefix
	Gateway      netip.Addr
	Internal     bool             // no way out: no masquerade, nothing forwarded to or from non-ward links
	Egress       netpolicy.Policy // default for endpoints whose own policy is unrestricted
	Ingress      netpolicy.Policy
}

// Port is a published port.
type Port struct {
	HostIP        netip.Addr // invalid, 0.0.0.0 or :: = every local address
	HostPort      uint16
	ContainerPort uint16
	Proto         string // "tcp" or "udp"
}

// Endpoint is one container on one network.
type Endpoint struct {
	ContainerID, Network, HostVeth string
	Addr                           netip.Addr
	MAC                            net.HardwareAddr // nil = link.MACFor(Addr)
	Egress, Ingress                netpolicy.Policy // resolved (no unresolved Peer), effective
	Ports                          []Port
	DNS                            []netip.Addr // resolvers egress may reach when the policy allows DNS
}

// State is everything the firewall must enforce.
type State struct {
	Networks  []Network
	Endpoints []Endpoint
}

const tableName = "ward"

var (
	inetTable   = &nftables.Table{Family: nftables.TableFamilyINet, Name: tableName}
	bridgeTable = &nftables.Table{Family: nftables.TableFamilyBridge, Name: tableName}
)

// Tables names ward's tables as nft(8) lists them.
func Tables() []string { return []string{"inet " + tableName, "bridge " + tableName} }

// Apply makes ward's tables enforce s, atomically; an empty State deletes
// them. s is checked first, so bad input leaves the tables as they were.
// The result depends on s as a set, not on the order of its lists, and
// Apply with the same State twice changes nothing. When s only adds
// endpoints to what is installed, the batch only adds (see incremental.go):
// a batch that deletes anything waits for a kernel RCU grace period.
func Apply(s State) error {
	_, err := apply(s)
	return err
}

// A mode says how apply brought the tables to the desired state.
type mode int

const (
	unchanged   mode = iota // already installed: nothing sent
	incremental             // a batch that only adds
	rebuilt                 // the tables deleted and written again
)

func apply(s State) (mode, error) {
	if err := validate(s); err != nil {
		return rebuilt, fmt.Errorf("firewall: %w", err)
	}
	s = canonical(s)
	// The socket is made for the calling thread's namespace by file, and
	// used from a goroutine of its own: a caller inside netns.Do is locked
	// to its thread, and every one of the batch's thousands of netlink
	// acknowledgements would then cost a handoff to that thread (five
	// times slower, measured).
	ns, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return rebuilt, fmt.Errorf("firewall: %w", err)
	}
	defer ns.Close()
	// One socket for the reads and the batch: each new one costs a
	// trip into the namespace.
	conn, err := nftables.New(nftables.AsLasting(), nftables.WithNetNSFd(int(ns.Fd())), nftables.WithSockOptions(largeBuffers))
	if err != nil {
		return rebuilt, fmt.Errorf("firewall: %w", err)
	}
	defer conn.CloseLasting()
	m, in := rebuilt, installed{}
	if len(s.Networks) > 0 || len(s.Endpoints) > 0 {
		m, in = plan(conn, s)
	} else if !present(conn) {
		m = unchanged // nothing to delete: spare the grace period
	}
	switch m {
	case unchanged:
		return m, nil
	case incremental:
		if err := addEndpoints(conn, s, in); err != nil {
			return m, fmt.Errorf("firewall: %w", err)
		}
	case rebuilt:
		if err := rebuild(conn, s); err != nil {
			return m, fmt.Errorf("firewall: %w", err)
		}
	}
	if testBatchHook != nil {
		testBatchHook(conn)
	}
	flushed := make(chan error, 1)
	go func() { flushed <- conn.Flush() }()
	if err := <-flushed; err != nil {
		return m, fmt.Errorf("firewall: apply nftables batch: %w", err)
	}
	return m, nil
}

// testBatchHook, set only by tests, adds to the batch before it is sent
// (to make one fail).
var testBatchHook func(*nftables.Conn)

// rebuild queues the deletion of ward's tables and, unless s is empty,
// the whole rule set for s.
func rebuild(conn *nftables.Conn, s State) error {
	for _, t := range []*nftables.Table{inetTable, bridgeTable} {
		// Adding before deleting makes the delete valid whether or not
		// the table exists; the batch is one transaction.
		conn.AddTable(t)
		conn.DelTable(t)
	}
	if len(s.Networks) == 0 && len(s.Endpoints) == 0 {
		return nil
	}
	b := newBuilder(conn, s)
	b.inet()
	b.bridge()
	for _, e := range s.Endpoints {
		b.endpoint(e)
	}
	return b.err
}

// batchBuffer bounds the netlink batch (and its acknowledgements) one Apply
// can send: the kernel refuses a message larger than the socket's send
// buffer (EMSGSIZE), and the default (about 200 KiB) holds the rules of
// only a couple of hundred containers.
const batchBuffer = 64 << 20

// largeBuffers raises the socket's buffers past net.core.[rw]mem_max, as
// nft(8) does for large rule sets; the FORCE options need CAP_NET_ADMIN,
// which Apply needs anyway.
func largeBuffers(c *netlink.Conn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = raw.Control(func(fd uintptr) {
		for _, opt := range []int{unix.SO_SNDBUFFORCE, unix.SO_RCVBUFFORCE} {
			if e := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, opt, batchBuffer); e != nil {
				serr = fmt.Errorf("netlink socket buffer: %w", e)
			}
		}
	})
	return errors.Join(err, serr)
}

func validate(s State) error {
	nets, bridges := map[string]bool{}, map[string]bool{}
	for _, n := range s.Networks {
		switch {
		case n.Name == "" || n.Bridge == "" || !n.Subnet.IsValid():
			return fmt.Errorf("network %q: needs a name, a bridge and a subnet", n.Name)
		case nets[n.Name]:
			return fmt.Errorf("network %s: listed twice", n.Name)
		case bridges[n.Bridge]:
			return fmt.Errorf("network %s: bridge %s used by another network", n.Name, n.Bridge)
		case len(n.Bridge) >= unix.IFNAMSIZ:
			return fmt.Errorf("network %s: bridge name %q longer than %d bytes", n.Name, n.Bridge, unix.IFNAMSIZ-1)
		}
		nets[n.Name], bridges[n.Bridge] = true, true
	}
	veths, addrs := map[string]bool{}, map[netip.Addr]string{}
	type published struct {
		Port
		owner string
	}
	var ports []published
	for _, e := range s.Endpoints {
		switch {
		case !nets[e.Network]:
			return fmt.Errorf("endpoint %s: unknown network %q", e.ContainerID, e.Network)
		case e.HostVeth == "" || veths[e.HostVeth]:
			return fmt.Errorf("endpoint %s: host veth %q missing or used twice", e.ContainerID, e.HostVeth)
		case len(e.HostVeth) >= unix.IFNAMSIZ:
			return fmt.Errorf("endpoint %s: host veth name %q longer than %d bytes", e.ContainerID, e.HostVeth, unix.IFNAMSIZ-1)
		case !e.Addr.Is4():
			return fmt.Errorf("endpoint %s: address %s: only IPv4 container addresses are supported", e.ContainerID, e.Addr)
		}
		// The dispatch maps are keyed by address: one address, one
		// container.
		if other, ok := addrs[e.Addr]; ok {
			return fmt.Errorf("endpoint %s: address %s already belongs to %s", e.ContainerID, e.Addr, other)
		}
		veths[e.HostVeth], addrs[e.Addr] = true, e.ContainerID
		for _, p := range []netpolicy.Policy{e.Egress, e.Ingress} {
			for _, r := range p.Rules {
				if !r.Prefix.IsValid() {
					return fmt.Errorf("endpoint %s: policy peer %q not resolved to an address", e.ContainerID, r.Peer)
				}
			}
		}
		for _, p := range e.Ports {
			if p.HostPort == 0 || p.ContainerPort == 0 || (p.Proto != "tcp" && p.Proto != "udp") {
				return fmt.Errorf("endpoint %s: published port %d:%d/%s: want ports 1-65535 and tcp or udp",
					e.ContainerID, p.HostPort, p.ContainerPort, p.Proto)
			}
			if p.HostIP.IsValid() && !p.HostIP.Is4() && !p.HostIP.IsUnspecified() {
				return fmt.Errorf("endpoint %s: published port %d on %s: only IPv4 host addresses are supported",
					e.ContainerID, p.HostPort, p.HostIP)
			}
			// Two DNAT rules for one host port: the first would win
			// silently, so the second container would never be reached.
			for _, q := range ports {
				if q.HostPort == p.HostPort && q.Proto == p.Proto && (anyAddr(q.HostIP) || anyAddr(p.HostIP) || q.HostIP == p.HostIP) {
					return fmt.Errorf("endpoint %s: host port %d/%s is already published by %s", e.ContainerID, p.HostPort, p.Proto, q.owner)
				}
			}
			ports = append(ports, published{p, e.ContainerID})
		}
	}
	return nil
}

func anyAddr(a netip.Addr) bool { return !a.IsValid() || a.IsUnspecified() }

type builder struct {
	conn   *nftables.Conn
	s      State
	table  *nftables.Table
	chains map[*nftables.Table]map[string]*nftables.Chain
	err    error
}

func newBuilder(conn *nftables.Conn, s State) *builder {
	return &builder{conn: conn, s: s, chains: map[*nftables.Table]map[string]*nftables.Chain{
		inetTable: {}, bridgeTable: {},
	}}
}

func (b *builder) chain(name string) *nftables.Chain {
	if c, ok := b.chains[b.table][name]; ok {
		return c
	}
	c := b.conn.AddChain(&nftables.Chain{Name: name, Table: b.table})
	b.chains[b.table][name] = c
	return c
}

// existing records a chain the kernel already has, for rules that name it
// in an incremental batch.
func (b *builder) existing(t *nftables.Table, names ...string) {
	for _, name := range names {
		b.chains[t][name] = &nftables.Chain{Name: name, Table: t}
	}
}

func (b *builder) base(name string, typ nftables.ChainType, hook *nftables.ChainHook, prio int32) {
	b.chains[b.table][name] = b.conn.AddChain(&nftables.Chain{
		Name: name, Table: b.table, Type: typ, Hooknum: hook,
		Priority: nftables.ChainPriorityRef(nftables.ChainPriority(prio)), Policy: ptr(nftables.ChainPolicyAccept),
	})
}

func (b *builder) rule(chain string, exprs []expr.Any) { b.conn.AddRule(b.commented(chain, "", exprs)) }

// commented adds a rule that carries a comment (rule userdata, which
// nft(8) prints as the rule's comment).
func (b *builder) commented(chain, comment string, exprs []expr.Any) *nftables.Rule {
	c := b.chain(chain)
	// A jump or goto must name a chain the batch has already made.
	for _, e := range exprs {
		if v, ok := e.(*expr.Verdict); ok && v.Chain != "" {
			b.chain(v.Chain)
		}
	}
	r := &nftables.Rule{Table: b.table, Chain: c, Exprs: exprs}
	if comment != "" {
		r.UserData = userdata.AppendString(nil, userdata.TypeComment, comment)
	}
	return r
}

// The dispatch maps are named, so that an incremental batch can add a
// container to them: anonymous sets are constant. Published ports are
// maps too, rather than rules in base chains, so that a container's
// ports are elements that any batch can add, in no particular order.
const (
	egressMap  = "egress-by-addr"  // inet: container address -> accept or goto eg-VETH
	ingressMap = "ingress-by-addr" // inet: container address -> accept or goto in-VETH
	portMap    = "port-by-iif"     // bridge: host veth -> goto port-VETH
	dnatAny    = "dnat-any"        // inet: proto . host port -> container address . port
	dnatAddr   = "dnat-addr"       // inet: host address . proto . host port -> container address . port
	hairpinSet = "hairpin"         // inet: container address . same . proto . container port
)

var (
	protoPort = nftables.MustConcatSetType(nftables.TypeInetProto, nftables.TypeInetService)
	addrPort  = nftables.MustConcatSetType(nftables.TypeIPAddr, nftables.TypeInetService)
)

func dispatchMap(name string) *nftables.Set {
	switch name {
	case portMap:
		// Interface names are strings, kept in host byte order, which
		// a named map can say (nft(8) prints them as names then).
		return &nftables.Set{Table: bridgeTable, Name: name, IsMap: true, KeyType: nftables.TypeIFName,
			DataType: nftables.TypeVerdict, KeyByteOrder: binaryutil.NativeEndian}
	case dnatAny:
		return &nftables.Set{Table: inetTable, Name: name, IsMap: true, Concatenation: true, KeyType: protoPort, DataType: addrPort}
	case dnatAddr:
		return &nftables.Set{Table: inetTable, Name: name, IsMap: true, Concatenation: true,
			KeyType: nftables.MustConcatSetType(nftables.TypeIPAddr, nftables.TypeInetProto, nftables.TypeInetService), DataType: addrPort}
	case hairpinSet:
		return &nftables.Set{Table: inetTable, Name: name, Concatenation: true,
			KeyType: nftables.MustConcatSetType(nftables.TypeIPAddr, nftables.TypeIPAddr, nftables.TypeInetProto, nftables.TypeInetService)}
	}
	return &nftables.Set{Table: inetTable, Name: name, IsMap: true, KeyType: nftables.TypeIPAddr, DataType: nftables.TypeVerdict}
}

// lookup makes a named set or map and returns a rule body that looks up
// the key loads put in registers 1, 9, 10... (`load . load vmap @name`);
// a map's value goes to register 1 (and 9) unless it is a verdict.
func (b *builder) lookup(loads []expr.Any, name string) []expr.Any {
	set := dispatchMap(name)
	if err := b.conn.AddSet(set, nil); err != nil {
		b.err = errors.Join(b.err, err)
	}
	l := &expr.Lookup{SourceRegister: 1, SetName: set.Name, SetID: set.ID}
	if set.IsMap {
		l.IsDestRegSet = true
		if set.DataType != nftables.TypeVerdict {
			l.DestRegister = 1
		}
	}
	return append(append([]expr.Any{}, loads...), l)
}

// concatRegs places the loads of a concatenation: the first in register
// 1, the next ones in the following 32-bit registers (NFT_REG32_01 = 9...),
// as nft(8) does; each field takes whole registers of 4 bytes.
func concatRegs(loads ...expr.Any) []expr.Any {
	for i, l := range loads {
		reg := uint32(1)
		if i > 0 {
			reg = uint32(8 + i)
		}
		switch l := l.(type) {
		case *expr.Meta:
			l.Register = reg
		case *expr.Payload:
			l.DestRegister = reg
		}
	}
	return loads
}

// pad4 is a concatenation's field: padded with zeros to 4 bytes.
func pad4(b []byte) []byte { return append(b, make([]byte, 4-len(b)%4)[:(4-len(b)%4)%4]...) }

// element adds one key to a dispatch map; comment, on the bridge map,
// records what the endpoint's rules were made from.
func (b *builder) element(name string, key []byte, verdict expr.Any, comment string) {
	v := verdict.(*expr.Verdict)
	if v.Chain != "" {
		b.chain(v.Chain) // the map may only name chains that exist
	}
	if name == portMap {
		key = ifname(string(key))
	}
	b.elements(name, nftables.SetElement{Key: key, VerdictData: v, Comment: comment})
}

func (b *builder) elements(name string, els ...nftables.SetElement) {
	if len(els) == 0 {
		return
	}
	if err := b.conn.SetAddElements(dispatchMap(name), els); err != nil {
		b.err = errors.Join(b.err, err)
	}
}

func ptr[T any](v T) *T { return &v }

// effective is the endpoint's policy, or its network's when the endpoint's
// own is unrestricted.
func effective(own, network netpolicy.Policy) netpolicy.Policy {
	if own.Restricted {
		return own
	}
	return network
}

func (b *builder) network(name string) Network {
	for _, n := range b.s.Networks {
		if n.Name == name {
			return n
		}
	}
	return Network{}
}

// inet writes the inet table's chains and the rules of each network; the
// endpoints' own come from endpoint.
func (b *builder) inet() {
	b.table = inetTable
	b.conn.AddTable(inetTable)
	// Egress is judged at prerouting, before DNAT (-100) rewrites the
	// destination: a policy speaks of what the container dialed.
	b.base("prerouting", nftables.ChainTypeFilter, nftables.ChainHookPrerouting, -150)
	b.base("forward", nftables.ChainTypeFilter, nftables.ChainHookForward, 0)
	b.base("output", nftables.ChainTypeFilter, nftables.ChainHookOutput, 0)
	b.base("prerouting-nat", nftables.ChainTypeNAT, nftables.ChainHookPrerouting, -100)
	b.base("output-nat", nftables.ChainTypeNAT, nftables.ChainHookOutput, -100)
	b.base("postrouting-nat", nftables.ChainTypeNAT, nftables.ChainHookPostrouting, 100)
	b.chain("egress")
	b.chain("ingress")

	const established = expr.CtStateBitESTABLISHED | expr.CtStateBitRELATED
	for _, c := range []string{"prerouting", "forward", "output"} {
		b.rule(c, then(ctState(established), accept))
	}
	for _, n := range b.s.Networks {
		b.rule("prerouting", then(all(iif(n.Bridge), ctState(expr.CtStateBitINVALID)), drop))
		b.rule("prerouting", then(iif(n.Bridge), goTo("egress")))
		b.rule("forward", then(all(oif(n.Bridge), ctState(expr.CtStateBitINVALID)), drop))
		b.rule("forward", then(iif(n.Bridge), goTo("from-"+n.Bridge)))
		b.rule("output", then(oif(n.Bridge), goTo("ingress")))

		from := "from-" + n.Bridge
		b.rule(from, then(oif(n.Bridge), goTo("ingress")))
		for _, other := range b.s.Networks {
			if other.Bridge != n.Bridge {
				b.rule(from, then(all(oif(other.Bridge), ctDNAT()), goTo("ingress")))
				b.rule(from, then(oif(other.Bridge), drop))
			}
		}
		to := "to-" + n.Bridge
		if n.Internal {
			b.rule(from, []expr.Any{drop})
			b.rule(to, []expr.Any{drop})
		} else {
			b.rule(from, []expr.Any{accept})
			b.rule(to, []expr.Any{goTo("ingress")})
			b.rule("postrouting-nat", then(all(addrIn(src, n.Subnet), oifNot(n.Bridge)), &expr.Masq{}))
		}
		b.rule("postrouting-nat", then(all(oif(n.Bridge), addrIn(src, netip.MustParsePrefix("127.0.0.0/8"))), &expr.Masq{}))
	}

	// Only after every bridge's own traffic went to its from- chain: what
	// is left entering a bridge came from a link that is not ward's.
	for _, n := range b.s.Networks {
		b.rule("forward", then(oif(n.Bridge), goTo("to-"+n.Bridge)))
	}

	// Dispatch by address through verdict maps: one hash lookup per new
	// connection however many containers there are. The egress lookup
	// carries the digest of what the tables were made from (state.go).
	ipv4 := family(netip.IPv4Unspecified())
	b.conn.AddRule(b.commented("egress", stateComment(b.s), b.lookup(append(ipv4, loadAddr(src)), egressMap)))
	b.rule("ingress", b.lookup(append(ipv4, loadAddr(dst)), ingressMap))

	// Published ports, through maps: `dnat ip to ip daddr . meta l4proto
	// . th dport map @dnat-addr` for ports bound to one host address,
	// `fib daddr type local dnat ip to meta l4proto . th dport map
	// @dnat-any` for the others (validate keeps them from overlapping,
	// so their order does not matter), and masquerade for a container
	// reaching its own published port (`ip saddr . ip daddr . meta l4proto
	// . th dport @hairpin`), which the reply would otherwise bypass.
	l4proto := func() expr.Any { return &expr.Meta{Key: expr.MetaKeyL4PROTO} }
	thDport := func() expr.Any { return &expr.Payload{Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2} }
	nat := &expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1, RegProtoMin: 9, Specified: true}
	for _, chain := range []string{"prerouting-nat", "output-nat"} {
		b.rule(chain, then(append(ipv4, b.lookup(concatRegs(loadAddr(dst), l4proto(), thDport()), dnatAddr)...), nat))
		b.rule(chain, then(append(all(ipv4, localDest()), b.lookup(concatRegs(l4proto(), thDport()), dnatAny)...), nat))
	}
	b.rule("postrouting-nat", then(append(ipv4, b.lookup(concatRegs(loadAddr(src), loadAddr(dst), l4proto(), thDport()), hairpinSet)...), &expr.Masq{}))
	// A source on a ward bridge that no endpoint owns is not trusted.
	b.rule("egress", []expr.Any{drop})
	b.rule("ingress", []expr.Any{drop})
}

// endpoint writes one container's chains, map elements and NAT rules in
// both tables: only additions, so that an incremental batch can use it.
func (b *builder) endpoint(e Endpoint) {
	b.table = inetTable
	n := b.network(e.Network)
	eg, in := effective(e.Egress, n.Egress), effective(e.Ingress, n.Ingress)
	key := e.Addr.AsSlice()
	egVerdict, inVerdict := expr.Any(accept), expr.Any(accept)
	if eg.Restricted {
		egVerdict = goTo("eg-" + e.HostVeth)
		b.egressChain("eg-"+e.HostVeth, eg, e.DNS)
	}
	if in.Restricted {
		inVerdict = goTo("in-" + e.HostVeth)
		b.ingressChain("in-"+e.HostVeth, in, e.Ports)
	}
	b.element(egressMap, key, egVerdict, "")
	b.element(ingressMap, key, inVerdict, "")
	var any, addr, hairpin []nftables.SetElement
	seen := map[string]bool{}
	for _, p := range e.Ports {
		proto := byte(unix.IPPROTO_TCP)
		if p.Proto == "udp" {
			proto = unix.IPPROTO_UDP
		}
		to := append(e.Addr.AsSlice(), pad4(binary.BigEndian.AppendUint16(nil, p.ContainerPort))...)
		published := append(pad4([]byte{proto}), pad4(binary.BigEndian.AppendUint16(nil, p.HostPort))...)
		if anyAddr(p.HostIP) {
			any = append(any, nftables.SetElement{Key: published, Val: to})
		} else {
			addr = append(addr, nftables.SetElement{Key: append(p.HostIP.AsSlice(), published...), Val: to})
		}
		self := append(append(e.Addr.AsSlice(), e.Addr.AsSlice()...), append(pad4([]byte{proto}), pad4(binary.BigEndian.AppendUint16(nil, p.ContainerPort))...)...)
		if !seen[string(self)] { // two host ports to one container port
			seen[string(self)] = true
			hairpin = append(hairpin, nftables.SetElement{Key: self})
		}
	}
	b.elements(dnatAny, any...)
	b.elements(dnatAddr, addr...)
	b.elements(hairpinSet, hairpin...)
	b.antiSpoofing(e)
}

// egressChain: allowed destinations return to the caller, the rest drops.
func (b *builder) egressChain(name string, p netpolicy.Policy, dns []netip.Addr) {
	b.chain(name)
	for _, r := range p.Rules {
		for _, m := range ruleMatches(dst, r) {
			b.rule(name, then(m, ret))
		}
	}
	if p.DNS {
		for _, a := range dns {
			for _, proto := range []string{"udp", "tcp"} {
				b.rule(name, then(all(addrIs(dst, a), l4(proto), dport(53)), ret))
			}
		}
	}
	b.rule(name, []expr.Any{drop})
}

// ingressChain: allowed sources and published ports accept, the rest
// drops. Publishing a port is itself an allow, as `-p` promises the port
// is reachable from the host and from other containers.
func (b *builder) ingressChain(name string, p netpolicy.Policy, ports []Port) {
	b.chain(name)
	for _, r := range p.Rules {
		for _, m := range ruleMatches(src, r) {
			b.rule(name, then(m, accept))
		}
	}
	for _, port := range ports {
		b.rule(name, then(all(ctDNAT(), l4(port.Proto), dport(port.ContainerPort)), accept))
	}
	b.rule(name, []expr.Any{drop})
}

// ruleMatches turns a policy rule into matches on the peer's address (s
// says which side the peer is); a port without a protocol means both.
func ruleMatches(s side, r netpolicy.Rule) []match {
	peer := addrIn(s, r.Prefix)
	switch {
	case r.Port == 0 && r.Proto == "":
		return []match{peer}
	case r.Port == 0:
		return []match{all(peer, l4(r.Proto))}
	case r.Proto != "":
		return []match{all(peer, l4(r.Proto), dport(r.Port))}
	}
	return []match{all(peer, l4("tcp"), dport(r.Port)), all(peer, l4("udp"), dport(r.Port))}
}

// bridge writes the anti-spoofing table's base chain; antiSpoofing adds
// each container's port chain.
func (b *builder) bridge() {
	b.table = bridgeTable
	b.conn.AddTable(bridgeTable)
	// Before br_netfilter (priority 0) hands the frame to the inet hooks.
	b.base("prerouting", nftables.ChainTypeFilter, nftables.ChainHookPrerouting, -200)
	// One lookup by input port per frame, not five rules per container.
	load := match{&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1}}
	b.conn.AddRule(b.commented("prerouting", stateComment(b.s), b.lookup(load, portMap)))
}

// antiSpoofing: per host veth port, only the container's own MAC, and only
// IPv4 and ARP from its own address. Its element in the port map carries
// the digest of the endpoint (state.go).
func (b *builder) antiSpoofing(e Endpoint) {
	b.table = bridgeTable
	mac := macOf(e)
	port := "port-" + e.HostVeth
	ll, nh := expr.PayloadBaseLLHeader, expr.PayloadBaseNetworkHeader
	// The common case first, in one rule: IPv4 from the container's
	// own MAC and address. Every frame passes here.
	b.rule(port, then(all(payloadIs(ll, 6, mac), etherType(expr.CmpOpEq, etherTypeIPv4), payloadIs(nh, 12, e.Addr.AsSlice())), accept))
	b.rule(port, then(payloadNot(ll, 6, mac), drop))
	b.rule(port, then(all(etherType(expr.CmpOpNeq, etherTypeIPv4), etherType(expr.CmpOpNeq, etherTypeARP)), drop))
	b.rule(port, then(all(etherType(expr.CmpOpEq, etherTypeIPv4), payloadNot(nh, 12, e.Addr.AsSlice())), drop))
	b.rule(port, then(all(etherType(expr.CmpOpEq, etherTypeARP), payloadNot(nh, 8, mac)), drop))
	b.rule(port, then(all(etherType(expr.CmpOpEq, etherTypeARP), payloadNot(nh, 14, e.Addr.AsSlice())), drop))
	b.element(portMap, []byte(e.HostVeth), goTo(port), endpointDigest(e))
}

func macOf(e Endpoint) net.HardwareAddr {
	if e.MAC == nil {
		return link.MACFor(e.Addr)
	}
	return e.MAC
}
