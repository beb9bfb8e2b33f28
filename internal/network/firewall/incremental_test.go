package firewall

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"

	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/netpolicy"
	"github.com/wardproject/ward/internal/network/nettest"
)

// rulesNets are three networks like the lab's, for tests that only read
// rules back (no links needed).
var rulesNets = []Network{
	{Name: "a", Bridge: "wa0", Subnet: netip.MustParsePrefix("10.88.0.0/24"), Gateway: netip.MustParseAddr("10.88.0.1")},
	{Name: "b", Bridge: "wb0", Subnet: netip.MustParsePrefix("10.89.0.0/24"), Gateway: netip.MustParseAddr("10.89.0.1")},
	{Name: "i", Bridge: "wi0", Subnet: netip.MustParsePrefix("10.90.0.0/24"), Gateway: netip.MustParseAddr("10.90.0.1"), Internal: true},
}

// rulesEndpoint is container name ("a2": network a, address .3, host veth
// wva2), restricted both ways and publishing a port unless plain.
func rulesEndpoint(t *testing.T, name string, plain bool) Endpoint {
	subnet := map[byte]byte{'a': 88, 'b': 89, 'i': 90}[name[0]]
	e := Endpoint{ContainerID: name, Network: name[:1], HostVeth: "wv" + name,
		Addr: netip.AddrFrom4([4]byte{10, subnet, 0, name[1] - '0' + 1})}
	if !plain {
		e.Egress = mustParse(t, netpolicy.ParseEgress, []string{"allow=dns,10.0.0.0/8:443/tcp"})
		e.Ingress = mustParse(t, netpolicy.ParseIngress, []string{"allow=10.88.0.0/24:80"})
		e.DNS = []netip.Addr{netip.MustParseAddr("10.88.0.1")}
		e.Ports = []Port{
			{HostPort: 8000 + uint16(subnet)*10 + uint16(name[1]-'0'), ContainerPort: 80, Proto: "tcp"},
			{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 9000 + uint16(subnet)*10 + uint16(name[1]-'0'), ContainerPort: 53, Proto: "udp"},
		}
	}
	return e
}

// rulesState is the networks and the named endpoints, restricted ones
// unless their name ends in "-" (plain).
func rulesState(t *testing.T, nets []Network, names ...string) State {
	s := State{Networks: nets}
	for _, n := range names {
		plain := strings.HasSuffix(n, "-")
		s.Endpoints = append(s.Endpoints, rulesEndpoint(t, strings.TrimSuffix(n, "-"), plain))
	}
	return s
}

// TestIncremental: Apply after Apply leaves exactly the tables a first
// Apply of the second State makes (by the kernel's own dump), and gets
// there by a batch that only adds when the second State only adds
// endpoints; anything else is rebuilt.
func TestIncremental(t *testing.T) {
	t.Parallel()
	nettest.Namespace(t) // skips without root
	policy := func(s State) State {
		s.Endpoints[0].Egress = mustParse(t, netpolicy.ParseEgress, []string{"deny-all"})
		return s
	}
	reversed := rulesState(t, rulesNets, "a3", "a1")
	slices.Reverse(reversed.Endpoints)
	tests := []struct {
		name          string
		before, after State
		want          mode
	}{
		{"a container joins between two", rulesState(t, rulesNets, "a1", "a3"), rulesState(t, rulesNets, "a1", "a2", "a3"), incremental},
		{"containers join on two networks", rulesState(t, rulesNets, "a2"), rulesState(t, rulesNets, "b1", "a2", "a1", "i3-", "a4-"), incremental},
		{"the first containers", rulesState(t, rulesNets), rulesState(t, rulesNets, "a2-", "a1"), incremental},
		{"an unrestricted container without ports", rulesState(t, rulesNets, "a1", "a3"), rulesState(t, rulesNets, "a1", "a3", "a2-"), incremental},
		{"the same state", rulesState(t, rulesNets, "a1", "b2"), rulesState(t, rulesNets, "a1", "b2"), unchanged},
		{"the same state in another order", rulesState(t, rulesNets, "a1", "a3"), reversed, unchanged},
		{"a container leaves", rulesState(t, rulesNets, "a1", "a2"), rulesState(t, rulesNets, "a2"), rebuilt},
		{"one leaves, another joins", rulesState(t, rulesNets, "a1", "a2"), rulesState(t, rulesNets, "a2", "a3"), rebuilt},
		{"a policy changes", rulesState(t, rulesNets, "a1", "a2"), policy(rulesState(t, rulesNets, "a1", "a2", "a3")), rebuilt},
		{"a network is added", rulesState(t, rulesNets[:2], "a1"), rulesState(t, rulesNets, "a1", "i2"), rebuilt},
		{"a network's default policy changes", rulesState(t, rulesNets, "a1"), func() State {
			s := rulesState(t, slices.Clone(rulesNets), "a1", "a2")
			s.Networks[0].Egress = netpolicy.Policy{Restricted: true}
			return s
		}(), rebuilt},
		{"nothing installed", State{}, rulesState(t, rulesNets, "a1"), rebuilt},
		{"nothing installed, nothing wanted", State{}, State{}, unchanged},
		{"nothing wanted", rulesState(t, rulesNets, "a1"), State{}, rebuilt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			host, fresh := nettest.Namespace(t), nettest.Namespace(t)
			var got mode
			err := netns.Do(host, func() error {
				if err := Apply(tt.before); err != nil {
					return err
				}
				var err error
				got, err = apply(tt.after)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Apply took mode %d, want %d", got, tt.want)
			}
			if err := netns.Do(fresh, func() error { return Apply(tt.after) }); err != nil {
				t.Fatal(err)
			}
			if a, b := tables(t, host), tables(t, fresh); a != b {
				t.Errorf("after Apply then Apply:\n%s\n\nfrom one Apply:\n%s", a, b)
			}
		})
	}
}

// TestIncrementalFailure: a batch that fails on the incremental path
// leaves the tables as they were, and the next Apply still works.
func TestIncrementalFailure(t *testing.T) {
	// Not parallel: the hook is package state.
	host := nettest.Namespace(t)
	before, after := rulesState(t, rulesNets, "a1"), rulesState(t, rulesNets, "a1", "a2")
	if err := netns.Do(host, func() error { return Apply(before) }); err != nil {
		t.Fatal(err)
	}
	want := tables(t, host)
	testBatchHook = func(c *nftables.Conn) {
		c.AddRule(&nftables.Rule{Table: inetTable, Chain: &nftables.Chain{Table: inetTable, Name: "no-such-chain"}, Exprs: []expr.Any{accept}})
	}
	var got mode
	err := netns.Do(host, func() error { var err error; got, err = apply(after); return err })
	testBatchHook = nil
	if err == nil || got != incremental {
		t.Fatalf("apply with a failing incremental batch: mode %d, error %v; want mode %d and an error", got, err, incremental)
	}
	if now := tables(t, host); now != want {
		t.Errorf("a failed batch changed the tables:\n%s\n\nwant:\n%s", now, want)
	}
	err = netns.Do(host, func() error { var err error; got, err = apply(after); return err })
	if err != nil || got != incremental {
		t.Errorf("apply again: mode %d, error %v", got, err)
	}
}

// TestIncrementalEnforces: a container added by an incremental batch gets
// its policies and published port, and the others keep theirs.
func TestIncrementalEnforces(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	full := l.state(map[string]func(*Endpoint){
		"a1": func(e *Endpoint) { e.Egress = mustParse(t, netpolicy.ParseEgress, []string{"allow=10.88.0.3:80/tcp"}) },
		"a2": func(e *Endpoint) {
			e.Ingress = mustParse(t, netpolicy.ParseIngress, []string{"allow=10.88.0.2"})
			e.Egress = mustParse(t, netpolicy.ParseEgress, []string{"deny-all"})
			e.Ports = []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}
		},
	})
	without := full
	without.Endpoints = slices.DeleteFunc(slices.Clone(full.Endpoints), func(e Endpoint) bool { return e.ContainerID == "a2" })
	l.apply(t, without)
	var got mode
	if err := netns.Do(l.host, func() error { var err error; got, err = apply(full); return err }); err != nil {
		t.Fatal(err)
	}
	if got != incremental {
		t.Fatalf("adding a2 took mode %d, want incremental (%d)", got, incremental)
	}
	l.check(t, concat(
		[]probe{{from: "a1", network: "tcp", to: l.to("a2", 80), reach: true}},
		[]probe{{from: "a1", network: "udp", to: l.to("a2", 80), reach: false}}, // a1's egress
		both("a3", l.to("a2", 80), false),                                       // a2's ingress
		both("a2", l.to("outside", 80), false),                                  // a2's egress
		[]probe{{from: "outside", network: "tcp", to: "198.18.0.1:8080", reach: true, seen: l.outAddr}},
		both("b1", l.to("a2", 80), false), // isolation between networks
		both("a3", l.to("outside", 80), true),
	))
}

// tables is ward's rule set in a namespace, rules by chain (in their
// order) and the dispatch maps' elements, each sorted: the order of
// chains and of map elements means nothing to the kernel.
func tables(t *testing.T, ns string) string {
	t.Helper()
	var out []string
	err := netns.Do(ns, func() error {
		rules, err := dumpRules(tableName)
		if err != nil || rules == "" {
			return err // no tables, no maps
		}
		byChain := map[string][]string{}
		var chains []string
		for _, line := range strings.Split(rules, "\n") {
			chain, _, _ := strings.Cut(line, ":")
			if byChain[chain] == nil {
				chains = append(chains, chain)
			}
			byChain[chain] = append(byChain[chain], line)
		}
		slices.Sort(chains)
		for _, c := range chains {
			out = append(out, byChain[c]...)
		}
		conn, err := nftables.New()
		if err != nil {
			return err
		}
		for _, name := range []string{egressMap, ingressMap, portMap, dnatAny, dnatAddr, hairpinSet} {
			elems, err := conn.GetSetElements(dispatchMap(name))
			if err != nil {
				return fmt.Errorf("map %s: %w", name, err)
			}
			var lines []string
			for _, el := range elems {
				v := ""
				if el.VerdictData != nil {
					v = fmt.Sprint(el.VerdictData.Kind, " ", el.VerdictData.Chain)
				}
				lines = append(lines, fmt.Sprintf("map %s: %x %x %s %q", name, el.Key, el.Val, v, el.Comment))
			}
			slices.Sort(lines)
			out = append(out, lines...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}
