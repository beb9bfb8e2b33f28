package firewall

import (
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"

	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/link"
	"github.com/wardproject/ward/internal/network/netpolicy"
)

// TestSpoofing: a root process inside a restricted container that takes
// another container's address, then its MAC too, or an address nobody
// owns, gets nothing out: the bridge table drops its frames on its host
// port, before any address-based rule could be fooled. Replies to a stolen
// address would go to its owner, so the test watches one-way UDP arriving
// at a sink outside instead of waiting for answers, and shows at the end
// that without the bridge table the same theft does get through.
func TestSpoofing(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	s := l.state(map[string]func(*Endpoint){"a1": func(e *Endpoint) {
		e.Egress = mustParse(t, netpolicy.ParseEgress, []string{"deny-all"})
	}})
	l.apply(t, s)
	sink := newSink(t, l.outside, l.to("outside", 99))
	if got := sink.count(t, l.ns["a3"]); got == 0 {
		t.Fatal("a3, unrestricted, got nothing to the sink: the test cannot tell a drop")
	}
	if got := sink.count(t, l.ns["a1"]); got != 0 {
		t.Fatalf("a1, deny-all, got %d datagrams out", got)
	}

	a3 := l.addr["a3"]
	steps := []struct {
		name string
		addr netip.Addr
		mac  net.HardwareAddr
	}{
		{"another container's address", a3, nil},
		{"another container's address and MAC", a3, link.MACFor(a3)},
		{"an address nobody owns", netip.MustParseAddr("10.88.0.50"), link.MACFor(a3)},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			readdress(t, l.ns["a1"], st.addr, st.mac, l.net("a"))
			if got := sink.count(t, l.ns["a1"]); got != 0 {
				t.Errorf("a1 got %d datagrams out", got)
			}
		})
	}
	// a3 still works, and the host still maps its address to a3's MAC:
	// a1's ARP claims never got past its port.
	if got := sink.count(t, l.ns["a3"]); got == 0 {
		t.Error("a3 lost its way out")
	}
	err := netns.Do(l.host, func() error {
		neighs, err := netlink.NeighList(0, netlink.FAMILY_V4)
		for _, n := range neighs {
			if n.IP.Equal(a3.AsSlice()) && n.HardwareAddr.String() != link.MACFor(a3).String() {
				t.Errorf("host maps %s to %s, want a3's %s", a3, n.HardwareAddr, link.MACFor(a3))
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// The proof that the bridge table is what stops it.
	readdress(t, l.ns["a1"], a3, link.MACFor(l.addr["a1"]), l.net("a"))
	err = netns.Do(l.host, func() error {
		conn, err := nftables.New()
		if err != nil {
			return err
		}
		conn.DelTable(bridgeTable)
		return conn.Flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.count(t, l.ns["a1"]); got == 0 {
		t.Error("without the bridge table a1 still got nothing out as a3: the test proves nothing")
	}
}

// A sink counts UDP datagrams that arrive at an address.
type sink struct {
	addr string
	got  chan struct{}
}

func newSink(t *testing.T, ns, addr string) *sink {
	var pc net.PacketConn
	err := netns.Do(ns, func() error {
		var err error
		pc, err = net.ListenPacket("udp", addr)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	s := &sink{addr: addr, got: make(chan struct{}, 100)}
	go func() {
		buf := make([]byte, 100)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			s.got <- struct{}{}
		}
	}()
	return s
}

// count sends three datagrams from ns and counts those that arrive.
func (s *sink) count(t *testing.T, ns string) int {
	t.Helper()
	err := netns.Do(ns, func() error {
		c, err := net.Dial("udp", s.addr)
		if err != nil {
			return err
		}
		defer c.Close()
		for range 3 {
			c.Write([]byte("x"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	timeout := time.After(2 * dropWait)
	for {
		select {
		case <-s.got:
			n++
			if n == 3 {
				return n
			}
		case <-timeout:
			return n
		}
	}
}

// readdress gives eth0 in ns the address (and MAC, when given) in place of
// what it has, as root inside the container could.
func readdress(t *testing.T, ns string, addr netip.Addr, mac net.HardwareAddr, n Network) {
	t.Helper()
	err := netns.Do(ns, func() error {
		eth0, err := netlink.LinkByName("eth0")
		if err != nil {
			return err
		}
		old, err := netlink.AddrList(eth0, netlink.FAMILY_V4)
		if err != nil {
			return err
		}
		for _, a := range old {
			if err := netlink.AddrDel(eth0, &a); err != nil {
				return err
			}
		}
		if mac != nil {
			if err := netlink.LinkSetHardwareAddr(eth0, mac); err != nil {
				return err
			}
		}
		a := &netlink.Addr{IPNet: &net.IPNet{IP: addr.AsSlice(), Mask: net.CIDRMask(n.Subnet.Bits(), 32)}}
		if err := netlink.AddrAdd(eth0, a); err != nil {
			return err
		}
		return netlink.RouteReplace(&netlink.Route{LinkIndex: eth0.Attrs().Index, Gw: n.Gateway.AsSlice()})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBridgedTrafficNeedsBrNetfilter checks the assumption the inet table
// rests on: traffic between two containers on one bridge reaches the inet
// forward hook only because bridge-nf-call-iptables is 1 in the host's
// namespace (which link.EnsureBridge sets). With it off, an ingress
// deny-all between neighbours would silently not hold.
func TestBridgedTrafficNeedsBrNetfilter(t *testing.T) {
	t.Parallel()
	l := newLab(t)
	l.apply(t, l.state(map[string]func(*Endpoint){"a2": func(e *Endpoint) {
		e.Ingress = mustParse(t, netpolicy.ParseIngress, []string{"deny-all"})
	}}))
	l.check(t, both("a1", l.to("a2", 80), false))
	setSysctl(t, l.host, "net/bridge/bridge-nf-call-iptables", "0")
	l.check(t, both("a1", l.to("a2", 81), true))
	setSysctl(t, l.host, "net/bridge/bridge-nf-call-iptables", "1")
	l.check(t, both("a1", l.to("a2", 53), false))
}

func setSysctl(t *testing.T, ns, key, value string) {
	t.Helper()
	err := netns.Do(ns, func() error { return os.WriteFile("/proc/sys/"+key, []byte(value), 0o644) })
	if err != nil {
		t.Fatal(err)
	}
}
