// API CHANGE (H3): Endpoint has an optional MAC (nil means link.MACFor(Addr),
// the MAC link.Attach gives a container by default); the bridge table pins
// the host veth port to it. Network.Egress/Ingress apply to an endpoint
// whose own policy is unrestricted.

// Package firewall writes ward's nftables tables from a declared State:
// the whole desired state goes in, ward's own tables come out replaced in
// one netlink batch, which the kernel applies atomically. There is no
// incremental add or remove to get wrong, a crash cannot leave half a
// rule set, and Apply with the same State twice changes nothing.
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
//	prerouting-nat,          published ports: DNAT from any local address
//	output-nat               (fib daddr type local) or the given host IP
//	postrouting-nat          masquerade the subnet out of other links
//	                         (not for --internal), loopback sources out of
//	                         the bridge (127.0.0.1 publishing, with
//	                         route_localnet), and a container reaching its
//	                         own published port (hairpin)
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
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
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

// Apply replaces ward's tables with ones that enforce s, in one atomic
// batch; an empty State deletes them. s is checked first, so bad input
// leaves the tables as they were.
func Apply(s State) error {
	if err := validate(s); err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	// The socket is made for the calling thread's namespace by file, and
	// used from a goroutine of its own: a caller inside netns.Do is locked
	// to its thread, and every one of the batch's thousands of netlink
	// acknowledgements would then cost a handoff to that thread (five
	// times slower, measured).
	ns, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	defer ns.Close()
	conn, err := nftables.New(nftables.WithNetNSFd(int(ns.Fd())), nftables.WithSockOptions(largeBuffers))
	if err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	for _, t := range []*nftables.Table{inetTable, bridgeTable} {
		// Adding before deleting makes the delete valid whether or not
		// the table exists; the batch is one transaction.
		conn.AddTable(t)
		conn.DelTable(t)
	}
	if len(s.Networks) > 0 || len(s.Endpoints) > 0 {
		b := &builder{conn: conn, s: s}
		b.inet()
		b.bridge()
		if b.err != nil {
			return fmt.Errorf("firewall: %w", b.err)
		}
	}
	flushed := make(chan error, 1)
	go func() { flushed <- conn.Flush() }()
	if err := <-flushed; err != nil {
		return fmt.Errorf("firewall: apply nftables batch: %w", err)
	}
	return nil
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
	veths := map[string]bool{}
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
		veths[e.HostVeth] = true
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
	chains map[string]*nftables.Chain
	maps   int
	err    error
}

func (b *builder) chain(name string) *nftables.Chain {
	if c, ok := b.chains[name]; ok {
		return c
	}
	c := b.conn.AddChain(&nftables.Chain{Name: name, Table: b.table})
	b.chains[name] = c
	return c
}

func (b *builder) base(name string, typ nftables.ChainType, hook *nftables.ChainHook, prio int32) {
	b.chains[name] = b.conn.AddChain(&nftables.Chain{
		Name: name, Table: b.table, Type: typ, Hooknum: hook,
		Priority: nftables.ChainPriorityRef(nftables.ChainPriority(prio)), Policy: ptr(nftables.ChainPolicyAccept),
	})
}

func (b *builder) rule(chain string, exprs []expr.Any) {
	c := b.chain(chain)
	// A jump or goto must name a chain the batch has already made.
	for _, e := range exprs {
		if v, ok := e.(*expr.Verdict); ok && v.Chain != "" {
			b.chain(v.Chain)
		}
	}
	b.conn.AddRule(&nftables.Rule{Table: b.table, Chain: c, Exprs: exprs})
}

// A mapping is one element of a verdict map.
type mapping struct {
	key     []byte
	verdict expr.Any
}

// vmap makes an anonymous verdict map and a rule body that looks up the
// key load put in register 1: `load vmap { key : verdict, ... }`.
func (b *builder) vmap(load match, keyType nftables.SetDatatype, ms []mapping) []expr.Any {
	set := &nftables.Set{Table: b.table, Anonymous: true, Constant: true, IsMap: true,
		KeyType: keyType, DataType: nftables.TypeVerdict}
	if keyType == nftables.TypeIFName {
		// Interface names are strings, kept in host byte order; the
		// library marks anonymous maps big-endian, which nft(8) would
		// print as empty names. A named map can say so.
		b.maps++
		set = &nftables.Set{Table: b.table, Name: fmt.Sprintf("ifmap%d", b.maps), IsMap: true,
			KeyType: keyType, DataType: nftables.TypeVerdict, KeyByteOrder: binaryutil.NativeEndian}
	}
	elems := make([]nftables.SetElement, len(ms))
	for i, m := range ms {
		v := m.verdict.(*expr.Verdict)
		if v.Chain != "" {
			b.chain(v.Chain) // the map may only name chains that exist
		}
		key := m.key
		if keyType == nftables.TypeIFName {
			key = ifname(string(key))
		}
		elems[i] = nftables.SetElement{Key: key, VerdictData: v}
	}
	if err := b.conn.AddSet(set, elems); err != nil {
		b.err = errors.Join(b.err, err)
	}
	return append(append(match{}, load...), &expr.Lookup{SourceRegister: 1, DestRegister: 0, IsDestRegSet: true, SetName: set.Name, SetID: set.ID})
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

func (b *builder) inet() {
	b.table, b.chains = b.conn.AddTable(inetTable), map[string]*nftables.Chain{}
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
	// connection however many containers there are.
	var egressMap, ingressMap []mapping
	for _, e := range b.s.Endpoints {
		n := b.network(e.Network)
		eg, in := effective(e.Egress, n.Egress), effective(e.Ingress, n.Ingress)
		key := e.Addr.AsSlice()
		if eg.Restricted {
			egressMap = append(egressMap, mapping{key, goTo("eg-" + e.HostVeth)})
			b.egressChain("eg-"+e.HostVeth, eg, e.DNS)
		} else {
			egressMap = append(egressMap, mapping{key, accept})
		}
		if in.Restricted {
			ingressMap = append(ingressMap, mapping{key, goTo("in-" + e.HostVeth)})
			b.ingressChain("in-"+e.HostVeth, in, e.Ports)
		} else {
			ingressMap = append(ingressMap, mapping{key, accept})
		}
		for _, p := range e.Ports {
			to := localDest()
			if !anyAddr(p.HostIP) {
				to = addrIs(dst, p.HostIP)
			}
			publish := append(all(family(e.Addr), to, l4(p.Proto), dport(p.HostPort)), dnatTo(e.Addr, p.ContainerPort)...)
			b.rule("prerouting-nat", publish)
			b.rule("output-nat", publish)
			hairpin := all(oif(n.Bridge), addrIs(src, e.Addr), addrIs(dst, e.Addr), l4(p.Proto), dport(p.ContainerPort))
			b.rule("postrouting-nat", then(hairpin, &expr.Masq{}))
		}
	}
	if len(b.s.Endpoints) > 0 {
		ipv4 := family(netip.IPv4Unspecified())
		b.rule("egress", b.vmap(append(ipv4, loadAddr(src)), nftables.TypeIPAddr, egressMap))
		b.rule("ingress", b.vmap(append(ipv4, loadAddr(dst)), nftables.TypeIPAddr, ingressMap))
	}
	// A source on a ward bridge that no endpoint owns is not trusted.
	b.rule("egress", []expr.Any{drop})
	b.rule("ingress", []expr.Any{drop})
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

// bridge writes the anti-spoofing table: per host veth port, only the
// container's own MAC, and only IPv4 and ARP from its own address.
func (b *builder) bridge() {
	b.table, b.chains = b.conn.AddTable(bridgeTable), map[string]*nftables.Chain{}
	// Before br_netfilter (priority 0) hands the frame to the inet hooks.
	b.base("prerouting", nftables.ChainTypeFilter, nftables.ChainHookPrerouting, -200)
	var ports []mapping
	for _, e := range b.s.Endpoints {
		mac := e.MAC
		if mac == nil {
			mac = link.MACFor(e.Addr)
		}
		port := "port-" + e.HostVeth
		ports = append(ports, mapping{[]byte(e.HostVeth), goTo(port)})
		ll, nh := expr.PayloadBaseLLHeader, expr.PayloadBaseNetworkHeader
		// The common case first, in one rule: IPv4 from the container's
		// own MAC and address. Every frame passes here.
		b.rule(port, then(all(payloadIs(ll, 6, mac), etherType(expr.CmpOpEq, etherTypeIPv4), payloadIs(nh, 12, e.Addr.AsSlice())), accept))
		b.rule(port, then(payloadNot(ll, 6, mac), drop))
		b.rule(port, then(all(etherType(expr.CmpOpNeq, etherTypeIPv4), etherType(expr.CmpOpNeq, etherTypeARP)), drop))
		b.rule(port, then(all(etherType(expr.CmpOpEq, etherTypeIPv4), payloadNot(nh, 12, e.Addr.AsSlice())), drop))
		b.rule(port, then(all(etherType(expr.CmpOpEq, etherTypeARP), payloadNot(nh, 8, mac)), drop))
		b.rule(port, then(all(etherType(expr.CmpOpEq, etherTypeARP), payloadNot(nh, 14, e.Addr.AsSlice())), drop))
	}
	if len(ports) > 0 {
		// One lookup by input port per frame, not five rules per container.
		load := match{&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1}}
		b.rule("prerouting", b.vmap(load, nftables.TypeIFName, ports))
	}
}
