package firewall

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/netpolicy"
	"github.com/wardproject/ward/internal/network/nettest"
)

func TestNetworks(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	l.apply(t, l.state(nil))
	var ps []probe
	ps = append(ps, both("a1", l.to("a2", 80), true)...)
	ps = append(ps, probe{from: "a1", network: "tcp", to: l.to("a2", 81), reach: true, seen: l.addr["a1"]})
	// Masquerade: the outside sees the host's address, never a container's.
	ps = append(ps, probe{from: "a1", network: "tcp", to: l.to("outside", 80), reach: true, seen: l.hostAddr})
	ps = append(ps, probe{from: "b1", network: "udp", to: l.to("outside", 53), reach: true, seen: l.hostAddr})
	// Isolation between networks, both ways.
	ps = append(ps, both("a1", l.to("b1", 80), false)...)
	ps = append(ps, both("b1", l.to("a1", 80), false)...)
	ps = append(ps, both("i1", l.to("a1", 80), false)...)
	// An internal network has no way out.
	ps = append(ps, both("i1", l.to("outside", 80), false)...)
	// The host reaches containers (nothing restricts their ingress).
	ps = append(ps, probe{from: "host", network: "tcp", to: l.to("i1", 80), reach: true})
	l.check(t, ps)
}

func TestPublishedPorts(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	s := l.state(map[string]func(*Endpoint){
		"a2": func(e *Endpoint) {
			e.Ports = []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, {HostPort: 5353, ContainerPort: 53, Proto: "udp"}}
		},
		"a1": func(e *Endpoint) {
			e.Ports = []Port{
				{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 9090, ContainerPort: 81, Proto: "tcp"},
				{HostIP: netip.MustParseAddr("0.0.0.0"), HostPort: 9191, ContainerPort: 81, Proto: "tcp"},
			}
		},
	})
	l.apply(t, s)
	gwA := l.net("a").Gateway
	ps := []probe{
		// From the host itself, on loopback and on its own addresses.
		{from: "host", network: "tcp", to: "127.0.0.1:8080", reach: true, seen: gwA},
		{from: "host", network: "tcp", to: "127.0.0.1:9090", reach: true, seen: gwA},
		{from: "host", network: "tcp", to: "198.18.0.1:8080", reach: true},
		{from: "outside", network: "tcp", to: "198.18.0.1:9191", reach: true, seen: l.outAddr}, // 0.0.0.0 is every address
		{from: "host", network: "udp", to: "127.0.0.1:5353", reach: true},
		// From the outside, keeping its source address.
		{from: "outside", network: "tcp", to: "198.18.0.1:8080", reach: true, seen: l.outAddr},
		{from: "outside", network: "udp", to: "198.18.0.1:5353", reach: true, seen: l.outAddr},
		// From another container on the same network, and from another
		// network through the host's address on that network.
		{from: "a1", network: "tcp", to: "10.88.0.1:8080", reach: true},
		{from: "b1", network: "tcp", to: "10.89.0.1:8080", reach: true},
		{from: "b1", network: "udp", to: "198.18.0.1:5353", reach: true},
		// A container reaching its own published port (hairpin).
		{from: "a2", network: "tcp", to: "10.88.0.1:8080", reach: true},
	}
	l.check(t, ps)
	// Bound to 127.0.0.1: the outside hits the host itself, which has
	// nothing listening there and refuses.
	if _, err := probeOnce(l, "outside", "tcp", "198.18.0.1:9090"); err == nil {
		t.Error("a port published on 127.0.0.1 answered from the outside")
	}
	// Published over TCP only: UDP 8080 reaches the host, not a2.
	if _, err := probeOnce(l, "outside", "udp", "198.18.0.1:8080"); err == nil {
		t.Error("a port published over TCP answered over UDP")
	}
}

func probeOnce(l *lab, from, network, to string) (netip.AddrPort, error) {
	return probeNS(l.ns[from], network, to)
}

func TestEgressPolicies(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	out := func(port int) string { return l.to("outside", port) }
	tests := []struct {
		name    string
		flags   []string
		network []string // the network's default egress, when the endpoint has none
		probes  []probe
	}{
		{"deny-all", []string{"deny-all"}, nil, concat(
			both("a1", l.to("a2", 80), false), both("a1", out(80), false), both("a1", out(53), false),
			both("a1", "10.88.0.1:53", false), // the host itself
			both("a2", out(80), true),         // others are not affected
		)},
		{"network default deny-all", nil, []string{"deny-all"}, concat(
			both("a1", out(80), false), both("a2", l.to("a3", 80), false), both("b1", out(80), true),
		)},
		{"one host", []string{"allow=10.88.0.3"}, nil, concat(
			both("a1", l.to("a2", 80), true), both("a1", l.to("a3", 80), false), both("a1", out(80), false),
		)},
		{"CIDR, port and TCP", []string{"allow=198.18.0.0/24:80/tcp"}, nil, []probe{
			{from: "a1", network: "tcp", to: out(80), reach: true},
			{from: "a1", network: "udp", to: out(80), reach: false},
			{from: "a1", network: "tcp", to: out(81), reach: false},
			{from: "a1", network: "tcp", to: l.to("a2", 80), reach: false},
		}},
		{"IPv6 rules load and leave IPv4 alone", []string{"allow=[fd00::]/64:81/tcp,[fd00::1]"}, nil, concat(
			both("a1", out(81), false), both("a1", l.to("a2", 81), false),
		)},
		{"host and port, both protocols", []string{"allow=198.18.0.2:81"}, nil, concat(
			both("a1", out(81), true), both("a1", out(80), false),
		)},
		{"any port over UDP", []string{"allow=0.0.0.0/0:*/udp"}, nil, []probe{
			{from: "a1", network: "udp", to: out(80), reach: true},
			{from: "a1", network: "udp", to: l.to("a2", 81), reach: true},
			{from: "a1", network: "tcp", to: out(80), reach: false},
		}},
		{"DNS only when allowed", []string{"allow=dns"}, nil, concat(
			both("a1", out(53), true), both("a1", out(80), false),
			both("a1", l.to("a2", 53), false), // port 53 elsewhere is not DNS to the resolver
		)},
		{"DNS not allowed", []string{"allow=198.18.0.2:80/tcp"}, nil, concat(
			both("a1", out(53), false),
		)},
		{"a published port by the address dialed", []string{"allow=10.88.0.1:8080/tcp"}, nil, []probe{
			{from: "a1", network: "tcp", to: "10.88.0.1:8080", reach: true},
			{from: "a1", network: "tcp", to: l.to("a2", 80), reach: false},
		}},
		{"not a published port by the container's address", []string{"allow=10.88.0.3:80/tcp"}, nil, []probe{
			{from: "a1", network: "tcp", to: l.to("a2", 80), reach: true},
			{from: "a1", network: "tcp", to: "10.88.0.1:8080", reach: false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := l.state(nil)
			if tt.flags != nil {
				s.Endpoints[0].Egress = mustParse(t, netpolicy.ParseEgress, tt.flags)
			}
			if tt.network != nil {
				s.Networks[0].Egress = mustParse(t, netpolicy.ParseEgress, tt.network)
			}
			s.Endpoints[0].DNS = []netip.Addr{l.outAddr}
			s.Endpoints[1].Ports = []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}
			l.apply(t, s)
			l.check(t, tt.probes)
		})
	}
}

func TestIngressPolicies(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	tests := []struct {
		name   string
		flags  []string
		probes []probe
	}{
		{"deny-all", []string{"deny-all"}, concat(
			both("a1", l.to("a2", 80), false), both("host", l.to("a2", 80), false),
			// Publishing a port is itself an allow.
			[]probe{{from: "outside", network: "tcp", to: "198.18.0.1:8080", reach: true}},
			// Its own traffic out still gets answers.
			both("a2", l.to("a1", 80), true),
		)},
		{"one host", []string{"allow=10.88.0.2"}, concat(
			both("a1", l.to("a2", 80), true), both("a3", l.to("a2", 80), false),
		)},
		{"CIDR, port and TCP", []string{"allow=10.88.0.0/24:80/tcp"}, []probe{
			{from: "a1", network: "tcp", to: l.to("a2", 80), reach: true},
			{from: "a3", network: "tcp", to: l.to("a2", 80), reach: true},
			{from: "a1", network: "udp", to: l.to("a2", 80), reach: false},
			{from: "a1", network: "tcp", to: l.to("a2", 81), reach: false},
		}},
		{"host, port and UDP", []string{"allow=10.88.0.2:53/udp"}, []probe{
			{from: "a1", network: "udp", to: l.to("a2", 53), reach: true},
			{from: "a1", network: "tcp", to: l.to("a2", 53), reach: false},
			{from: "a3", network: "udp", to: l.to("a2", 53), reach: false},
		}},
		{"the host by its gateway address", []string{"allow=10.88.0.1:81"}, concat(
			both("host", l.to("a2", 81), true), both("host", l.to("a2", 80), false),
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := l.state(map[string]func(*Endpoint){"a2": func(e *Endpoint) {
				e.Ingress = mustParse(t, netpolicy.ParseIngress, tt.flags)
				e.Ports = []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}
			}})
			l.apply(t, s)
			l.check(t, tt.probes)
		})
	}
}

func TestApplyIdempotentAndEmpty(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	s := l.state(map[string]func(*Endpoint){"a1": func(e *Endpoint) {
		e.Egress = mustParse(t, netpolicy.ParseEgress, []string{"allow=10.88.0.3:80/tcp"})
		e.Ports = []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}
	}})
	l.apply(t, s)
	first := l.ruleset(t)
	l.apply(t, s)
	if second := l.ruleset(t); second != first {
		t.Errorf("a second Apply changed the rule set:\n%s\nthen\n%s", first, second)
	}
	if !strings.Contains(first, "inet ward") || !strings.Contains(first, "bridge ward") {
		t.Fatalf("tables after Apply:\n%s", first)
	}
	// Bad input changes nothing.
	bad := s
	bad.Endpoints = append([]Endpoint{{ContainerID: "x", Network: "nope", HostVeth: "wvx", Addr: netip.MustParseAddr("10.88.0.9")}}, s.Endpoints...)
	err := netns.Do(l.host, func() error { return Apply(bad) })
	if err == nil || !strings.Contains(err.Error(), `unknown network "nope"`) {
		t.Errorf("Apply with an unknown network: %v", err)
	}
	if got := l.ruleset(t); got != first {
		t.Errorf("a failed Apply changed the rule set")
	}
	for range 2 {
		l.apply(t, State{})
		if got := l.ruleset(t); got != "" {
			t.Errorf("after Apply(State{}):\n%s\nwant no ward table", got)
		}
	}
}

func TestValidate(t *testing.T) {
	n := Network{Name: "a", Bridge: "wa0", Subnet: netip.MustParsePrefix("10.88.0.0/24")}
	e := Endpoint{ContainerID: "c", Network: "a", HostVeth: "wvc", Addr: netip.MustParseAddr("10.88.0.2")}
	tests := []struct {
		name string
		edit func(*State)
		want string
	}{
		{"network twice", func(s *State) { s.Networks = append(s.Networks, n) }, "listed twice"},
		{"network without bridge", func(s *State) { s.Networks[0].Bridge = "" }, "needs a name, a bridge"},
		{"bridge twice", func(s *State) {
			s.Networks = append(s.Networks, Network{Name: "b", Bridge: "wa0", Subnet: netip.MustParsePrefix("10.89.0.0/24")})
		}, "bridge wa0 used by another network"},
		{"bridge name too long", func(s *State) { s.Networks[0].Bridge = "ward-bridge-0123" }, "longer than 15 bytes"},
		{"veth name too long", func(s *State) { s.Endpoints[0].HostVeth = "wv0123456789abcd" }, "longer than 15 bytes"},
		{"unknown network", func(s *State) { s.Endpoints[0].Network = "b" }, `unknown network "b"`},
		{"veth twice", func(s *State) { s.Endpoints = append(s.Endpoints, e) }, "used twice"},
		{"address twice", func(s *State) {
			s.Endpoints = append(s.Endpoints, Endpoint{ContainerID: "d", Network: "a", HostVeth: "wvd", Addr: e.Addr})
		}, "address 10.88.0.2 already belongs to c"},
		{"IPv6 endpoint", func(s *State) { s.Endpoints[0].Addr = netip.MustParseAddr("fd00::2") }, "only IPv4"},
		{"unresolved peer", func(s *State) {
			s.Endpoints[0].Ingress = netpolicy.Policy{Restricted: true, Rules: []netpolicy.Rule{{Peer: "web"}}}
		}, `peer "web" not resolved`},
		{"port 0", func(s *State) { s.Endpoints[0].Ports = []Port{{HostPort: 0, ContainerPort: 80, Proto: "tcp"}} }, "published port 0:80/tcp"},
		{"bad proto", func(s *State) { s.Endpoints[0].Ports = []Port{{HostPort: 1, ContainerPort: 80, Proto: "sctp"}} }, "tcp or udp"},
		{"host port published twice", func(s *State) {
			s.Endpoints[0].Ports = []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}
			s.Endpoints = append(s.Endpoints, Endpoint{ContainerID: "d", Network: "a", HostVeth: "wvd", Addr: netip.MustParseAddr("10.88.0.3"),
				Ports: []Port{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 8080, ContainerPort: 81, Proto: "tcp"}}})
		}, "host port 8080/tcp is already published by c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := State{Networks: []Network{n}, Endpoints: []Endpoint{e}}
			tt.edit(&s)
			if err := validate(s); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("validate: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	good := State{Networks: []Network{n}, Endpoints: []Endpoint{e, {ContainerID: "d", Network: "a", HostVeth: "wvd", Addr: netip.MustParseAddr("10.88.0.3")}}}
	// One host port, two protocols or two host addresses: no conflict.
	good.Endpoints[0].Ports = []Port{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}
	good.Endpoints[1].Ports = []Port{{HostIP: netip.MustParseAddr("127.0.0.2"), HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, {HostPort: 8080, ContainerPort: 80, Proto: "udp"}}
	if err := validate(good); err != nil {
		t.Errorf("validate a good state: %v", err)
	}
}

// ruleset lists every rule of ward's tables in the lab's host, as
// "family table chain: expressions" lines to compare.
func (l *lab) ruleset(t *testing.T) string {
	t.Helper()
	var out string
	err := netns.Do(l.host, func() error {
		var err error
		out, err = dumpRules(tableName)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestApplyLargeState: a thousand containers fit in one batch (the
// default netlink socket buffer holds about two hundred).
func TestApplyLargeState(t *testing.T) {
	t.Parallel()
	host := nettest.Namespace(t)
	if err := netns.Do(host, func() error { return Apply(manyEndpoints(1000)) }); err != nil {
		t.Fatal(err)
	}
	var rules string
	err := netns.Do(host, func() error {
		var err error
		rules, err = dumpRules(tableName)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	first, last := strings.Count(rules, "port-wvc0:"), strings.Count(rules, "port-wvc999:")
	if first == 0 || last != first {
		t.Errorf("anti-spoofing rules: %d for the first endpoint, %d for the last; want the same, not 0", first, last)
	}
}
