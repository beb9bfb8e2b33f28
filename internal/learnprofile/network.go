package learnprofile

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Network is what the workload was seen doing on the network by the
// kernel's cgroup socket hooks while it was learned: where it connected
// or sent to, and where it listened. An empty list is a fact ("none was
// seen"); a profile without a Network section says nothing about the
// network, and applying it sets no egress policy.
type Network struct {
	Destinations []Destination `json:"destinations"`
	Listening    []Listener    `json:"listening"`
}

// Destination is an address, port and protocol a socket of the workload
// connected or sent to. DNS marks one of the container's resolvers on
// port 53: it is allowed as `dns` (the resolvers of whichever network the
// profile is applied on), not by address.
type Destination struct {
	Address  string `json:"address"`
	Port     uint16 `json:"port"`
	Protocol string `json:"protocol"`
	DNS      bool   `json:"dns,omitempty"`
}

// Listener is an address, port and protocol the workload listened on (a
// TCP listen(2), or a UDP socket bound to a port it chose).
type Listener struct {
	Address  string `json:"address"`
	Port     uint16 `json:"port"`
	Protocol string `json:"protocol"`
}

func checkEndpoint(what, address string, port uint16, proto string) error {
	if _, err := netip.ParseAddr(address); err != nil {
		return fmt.Errorf("network %s %q: not an IP address", what, address)
	}
	if port == 0 {
		return fmt.Errorf("network %s %s: port 0", what, address)
	}
	if proto != "tcp" && proto != "udp" {
		return fmt.Errorf("network %s %s:%d: protocol %q, want tcp or udp", what, address, port, proto)
	}
	return nil
}

func (n *Network) check() error {
	for _, d := range n.Destinations {
		if err := checkEndpoint("destination", d.Address, d.Port, d.Protocol); err != nil {
			return err
		}
	}
	for _, l := range n.Listening {
		if err := checkEndpoint("listener", l.Address, l.Port, l.Protocol); err != nil {
			return err
		}
	}
	return nil
}

// egressItem is d as an item of `--egress allow=`: ADDR:PORT/PROTO,
// [ADDR]:PORT/PROTO for IPv6, dns for a resolver. Loopback is "" (not
// egress: it never leaves the container's own network namespace).
func (d Destination) egressItem() string {
	if d.DNS {
		return "dns"
	}
	a, err := netip.ParseAddr(d.Address)
	if err != nil || a.Unmap().IsLoopback() {
		return ""
	}
	return netip.AddrPortFrom(a.Unmap(), d.Port).String() + "/" + d.Protocol
}

// EgressItems are the destinations as `--egress allow=` items, sorted
// (dns first), without duplicates or loopback; nil without a Network
// section.
func (p *Profile) EgressItems() []string {
	if p.Network == nil {
		return nil
	}
	items := []string{}
	for _, d := range p.Network.Destinations {
		if it := d.egressItem(); it != "" {
			items = append(items, it)
		}
	}
	slices.SortFunc(items, func(a, b string) int {
		// dns first, as netpolicy prints a policy back.
		if (a == "dns") != (b == "dns") {
			if a == "dns" {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(items)
}

// EgressApplies tells whether a profile's egress applies on network (a
// `ward run --network` value): on a bridge or user network; not on host
// (ward refuses a policy there), none (no network to police) or
// container:NAME (the owner's policy applies). The engine decides the
// same in planNetwork.
func EgressApplies(network string) bool {
	return network != "host" && network != "none" && network != "" && !strings.HasPrefix(network, "container:")
}

// FlagsOn are Flags for a run on network: without --egress where it does
// not apply (see EgressApplies), where ward would refuse it. An empty
// network keeps it (the default bridge).
func (p *Profile) FlagsOn(seccompFile, network string) []string {
	flags := p.Flags(seccompFile)
	if network == "" || EgressApplies(network) {
		return flags
	}
	if i := slices.Index(flags, "--egress"); i >= 0 {
		flags = slices.Delete(flags, i, i+2)
	}
	return flags
}

// Egress is the `ward run --egress` value the profile stands for:
// allow=ITEM,... of each destination seen, deny-all when none was, and
// "" when the profile has no Network section (nothing to apply). The
// engine applies it on a bridge or user network only, unless the
// command line gives its own --egress.
func (p *Profile) Egress() string {
	items := p.EgressItems()
	switch {
	case items == nil:
		return ""
	case len(items) == 0:
		return "deny-all"
	}
	return "allow=" + strings.Join(items, ",")
}

// PortProto is a port and its protocol ("tcp" or "udp").
type PortProto struct {
	Port     uint16
	Protocol string
}

// ListeningPorts are the ports listened on, sorted, one per port and
// protocol. A listener bound to loopback only is left out: no published
// port can reach it.
func (p *Profile) ListeningPorts() []PortProto {
	if p.Network == nil {
		return nil
	}
	var out []PortProto
	for _, l := range p.Network.Listening {
		if a, err := netip.ParseAddr(l.Address); err != nil || a.Unmap().IsLoopback() {
			continue
		}
		out = append(out, PortProto{l.Port, l.Protocol})
	}
	slices.SortFunc(out, func(a, b PortProto) int {
		if a.Port != b.Port {
			return int(a.Port) - int(b.Port)
		}
		return strings.Compare(a.Protocol, b.Protocol)
	})
	return slices.Compact(out)
}

// Ports are ListeningPorts as -p and compose values: PORT:PORT, or
// PORT:PORT/udp.
func (p *Profile) Ports() []string {
	var out []string
	for _, pp := range p.ListeningPorts() {
		s := strconv.Itoa(int(pp.Port)) + ":" + strconv.Itoa(int(pp.Port))
		if pp.Protocol == "udp" {
			s += "/udp"
		}
		out = append(out, s)
	}
	return out
}

// Listening is one line on the listeners: "8080/tcp on 0.0.0.0, ...",
// "none" when none was seen, "not learned" without a Network section.
func (p *Profile) Listening() string {
	if p.Network == nil {
		return "not learned"
	}
	var parts []string
	for _, l := range p.Network.Listening {
		parts = append(parts, fmt.Sprintf("%d/%s on %s", l.Port, l.Protocol, l.Address))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
