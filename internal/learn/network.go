package learn

import (
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/linux/observe"
)

// NetworkSeen is what the cgroup socket programs saw of a run
// (observe.NetWatch) and the resolvers its /etc/resolv.conf named.
type NetworkSeen struct {
	Destinations []observe.Endpoint
	Listening    []observe.Endpoint
	Resolvers    []netip.Addr
	// Unseen names the sockets the hooks cannot see into (raw, ICMP):
	// with any, the destinations are not the whole story.
	Unseen []string
}

// seeNetwork reads what w recorded, and the resolvers of the container
// whose spec is s (read before the container and its files are removed).
func seeNetwork(w *observe.NetWatch, s *specs.Spec) (*NetworkSeen, error) {
	n := &NetworkSeen{Resolvers: specResolvers(s)}
	var err error
	if n.Destinations, err = w.Destinations(); err != nil {
		return nil, err
	}
	if n.Listening, err = w.Listening(); err != nil {
		return nil, err
	}
	if n.Unseen, err = w.Unseen(); err != nil {
		return nil, err
	}
	return n, nil
}

// specResolvers are the nameservers of the file the spec mounts on
// /etc/resolv.conf (none when it mounts none: the image's own file, whose
// resolvers are then not recognized as dns but kept by address).
func specResolvers(s *specs.Spec) []netip.Addr {
	var out []netip.Addr
	for _, m := range s.Mounts {
		if m.Destination != "/etc/resolv.conf" {
			continue
		}
		data, err := os.ReadFile(m.Source)
		if err != nil {
			return nil
		}
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "nameserver" {
				if a, err := netip.ParseAddr(f[1]); err == nil {
					out = append(out, a.Unmap())
				}
			}
		}
	}
	return out
}

// capNetRaw is linux/capability.h's CAP_NET_RAW.
const capNetRaw = 13

// networkSection turns what was seen into the profile's network
// section. It refuses, rather than write destinations that may be
// incomplete, when the workload used a socket the hooks cannot see
// into: a raw or ICMP socket, or CAP_NET_RAW granted (what a packet
// socket needs, and which no TCP or UDP socket does).
func networkSection(n *NetworkSeen, granted []uint32) (*learnprofile.Network, error) {
	unseen := slices.Clone(n.Unseen)
	if len(unseen) == 0 && slices.Contains(granted, capNetRaw) {
		unseen = append(unseen, "CAP_NET_RAW granted, which a packet socket needs")
	}
	if len(unseen) > 0 {
		return nil, fmt.Errorf("the socket hooks could not see all of the workload's network use (%s): no profile written", strings.Join(unseen, "; "))
	}
	out := &learnprofile.Network{Destinations: destinations(n), Listening: []learnprofile.Listener{}}
	for _, l := range n.Listening {
		if l.Port != 0 {
			out.Listening = append(out.Listening, learnprofile.Listener{Address: l.Addr.String(), Port: l.Port, Protocol: l.Proto})
		}
	}
	return out, nil
}

// EgressSummary is the profile's egress for `ward learn`'s summary
// line, saying when the network it was learned on (--network) gets no
// policy from it.
func EgressSummary(p *learnprofile.Profile, network string) string {
	e := p.Egress()
	switch {
	case e == "":
		return "not learned"
	case !learnprofile.EgressApplies(network):
		return e + " (not applied with --network " + network + ")"
	}
	return e
}

// destinations are the destinations seen, in the profile's terms.
func destinations(n *NetworkSeen) []learnprofile.Destination {
	out := []learnprofile.Destination{}
	for _, d := range n.Destinations {
		if d.Port == 0 || d.Addr.IsUnspecified() {
			continue // refused by the kernel, or the host itself under another name
		}
		dns := d.Port == 53 && slices.Contains(n.Resolvers, d.Addr)
		out = append(out, learnprofile.Destination{Address: d.Addr.String(), Port: d.Port, Protocol: d.Proto, DNS: dns})
	}
	return out
}

// Dropped names what the egress of p dropped in the replay r of req
// (made with WatchSockets): the destinations it connected or sent to
// that p's egress does not allow, when that egress applied (a bridge or
// user network, no --egress on the command line). Nil otherwise.
func Dropped(r *Result, req Request, p *learnprofile.Profile) []string {
	if len(req.Create.Net.Egress) > 0 || !learnprofile.EgressApplies(req.Create.Run.Network) {
		return nil
	}
	return outsideEgress(r.Network, p)
}

// outsideEgress names the destinations seen (n) that p's egress does
// not allow, as ADDR:PORT/PROTO or dns; nil when p has no network
// section or nothing was watched.
func outsideEgress(n *NetworkSeen, p *learnprofile.Profile) []string {
	allowed := p.EgressItems()
	if n == nil || allowed == nil {
		return nil
	}
	seen := &learnprofile.Profile{Network: &learnprofile.Network{Destinations: destinations(n)}}
	var out []string
	for _, item := range seen.EgressItems() {
		if !slices.Contains(allowed, item) {
			out = append(out, item)
		}
	}
	return out
}
