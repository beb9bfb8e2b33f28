package firewall

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/link"
	"github.com/wardproject/ward/internal/network/nettest"
)

// A lab is a host namespace (the engine's view) with ward's bridges,
// containers as plain namespaces attached to them, and an outside
// namespace behind the host's default route. Nothing in it has a link to
// the machine's own interfaces.
type lab struct {
	host, outside string
	outAddr       netip.Addr
	hostAddr      netip.Addr // the host's address on the link to the outside
	ns            map[string]string
	addr          map[string]netip.Addr
	networks      []Network
}

// Three networks: a and b (masqueraded), i (internal); containers a1-a3
// on a, b1 on b, i1 on i. Every container and the outside answer TCP and
// UDP on ports 53, 80 and 81.
func newLab(t *testing.T) *lab {
	t.Helper()
	l := &lab{host: nettest.Namespace(t), ns: map[string]string{}, addr: map[string]netip.Addr{}}
	l.outside, l.outAddr = nettest.Outside(t, l.host)
	l.hostAddr = netip.MustParseAddr("198.18.0.1")
	l.networks = []Network{
		{Name: "a", Bridge: "wa0", Subnet: netip.MustParsePrefix("10.88.0.0/24"), Gateway: netip.MustParseAddr("10.88.0.1")},
		{Name: "b", Bridge: "wb0", Subnet: netip.MustParsePrefix("10.89.0.0/24"), Gateway: netip.MustParseAddr("10.89.0.1")},
		{Name: "i", Bridge: "wi0", Subnet: netip.MustParsePrefix("10.90.0.0/24"), Gateway: netip.MustParseAddr("10.90.0.1"), Internal: true},
	}
	containers := []struct{ name, network, addr string }{
		{"a1", "a", "10.88.0.2"}, {"a2", "a", "10.88.0.3"}, {"a3", "a", "10.88.0.4"},
		{"b1", "b", "10.89.0.2"}, {"i1", "i", "10.90.0.2"},
	}
	err := netns.Do(l.host, func() error {
		for _, n := range l.networks {
			if err := link.EnsureBridge(link.Bridge{Name: n.Bridge, Gateway: netip.PrefixFrom(n.Gateway, n.Subnet.Bits())}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range containers {
		ns := nettest.Namespace(t)
		n := l.net(c.network)
		a := netip.MustParseAddr(c.addr)
		err := netns.Do(l.host, func() error {
			return link.Attach(link.Attachment{NetnsPath: ns, Bridge: n.Bridge, HostVeth: link.HostVethName(c.name),
				IfName: "eth0", Address: netip.PrefixFrom(a, n.Subnet.Bits()), Gateway: n.Gateway})
		})
		if err != nil {
			t.Fatal(err)
		}
		l.ns[c.name], l.addr[c.name] = ns, a
	}
	l.ns["host"], l.ns["outside"] = l.host, l.outside
	l.addr["outside"] = l.outAddr
	for _, name := range []string{"a1", "a2", "a3", "b1", "i1", "outside"} {
		for _, network := range []string{"tcp", "udp"} {
			for _, port := range []int{53, 80, 81} {
				nettest.Echo(t, l.ns[name], network, fmt.Sprintf("%s:%d", l.addr[name], port))
			}
		}
	}
	return l
}

func (l *lab) net(name string) Network {
	for _, n := range l.networks {
		if n.Name == name {
			return n
		}
	}
	panic("no network " + name)
}

// endpoint describes container name on its network, unrestricted.
func (l *lab) endpoint(name string) Endpoint {
	network := map[byte]string{'a': "a", 'b': "b", 'i': "i"}[name[0]]
	return Endpoint{ContainerID: name, Network: network, HostVeth: link.HostVethName(name), Addr: l.addr[name]}
}

// state is every lab container, edited by the callers' functions.
func (l *lab) state(edits map[string]func(*Endpoint)) State {
	s := State{Networks: l.networks}
	for _, name := range []string{"a1", "a2", "a3", "b1", "i1"} {
		e := l.endpoint(name)
		if f := edits[name]; f != nil {
			f(&e)
		}
		s.Endpoints = append(s.Endpoints, e)
	}
	return s
}

func (l *lab) apply(t *testing.T, s State) {
	t.Helper()
	if err := netns.Do(l.host, func() error { return Apply(s) }); err != nil {
		t.Fatal(err)
	}
}

// probe is one expectation: from a namespace, to an address, answered or
// dropped. seen, when valid, is the source address the server must see.
type probe struct {
	from, network, to string
	reach             bool
	seen              netip.Addr
}

// A probe expected to be dropped waits dropWait for an answer; one
// expected to be answered waits answerWait, so that a loaded machine (CI,
// other tests) does not turn a slow answer into a failure.
const (
	dropWait   = 500 * time.Millisecond
	answerWait = 5 * time.Second
)

// check runs the probes in parallel; a dropped packet costs dropWait.
func (l *lab) check(t *testing.T, probes []probe) {
	t.Helper()
	t.Run("probes", func(t *testing.T) {
		for _, p := range probes {
			t.Run(p.from+">"+p.network+">"+p.to, func(t *testing.T) {
				t.Parallel()
				wait := dropWait
				if p.reach {
					wait = answerWait
				}
				seen, err := nettest.Probe(l.ns[p.from], p.network, p.to, wait)
				switch {
				case p.reach && err != nil:
					t.Errorf("want an answer: %v", err)
				case !p.reach && err == nil:
					t.Errorf("want it dropped, but %s answered (it saw %s)", p.to, seen)
				case !p.reach && !nettest.Blocked(err):
					t.Errorf("want it dropped (a timeout), got %v", err)
				case p.reach && p.seen.IsValid() && seen.Addr() != p.seen:
					t.Errorf("server saw %s, want %s", seen.Addr(), p.seen)
				}
			})
		}
	})
}

// to names a lab address and port.
func (l *lab) to(name string, port int) string {
	return netip.AddrPortFrom(l.addr[name], uint16(port)).String()
}

// both is the same probe over TCP and UDP.
func both(from, to string, reach bool) []probe {
	return []probe{{from: from, network: "tcp", to: to, reach: reach}, {from: from, network: "udp", to: to, reach: reach}}
}
