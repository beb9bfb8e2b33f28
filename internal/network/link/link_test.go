package link

import (
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/nettest"
)

var testBridge = Bridge{Name: "wtest0", Gateway: netip.MustParsePrefix("10.88.0.1/16"), MTU: 1500}

// attached makes a host namespace with testBridge and one container
// namespace per address, attached to it.
func attached(t *testing.T, addrs ...string) (host string, containers []string) {
	t.Helper()
	host = nettest.Namespace(t)
	if err := netns.Do(host, func() error { return EnsureBridge(testBridge) }); err != nil {
		t.Fatal(err)
	}
	for i, a := range addrs {
		c := nettest.Namespace(t)
		err := netns.Do(host, func() error {
			return Attach(Attachment{
				NetnsPath: c, Bridge: testBridge.Name, HostVeth: HostVethName("c" + string(rune('0'+i))),
				IfName: "eth0", Address: netip.MustParsePrefix(a), Gateway: testBridge.Gateway.Addr(),
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		containers = append(containers, c)
	}
	return host, containers
}

func TestBridgeConnectsContainers(t *testing.T) {
	host, cs := attached(t, "10.88.0.2/16", "10.88.0.3/16")
	for _, network := range []string{"tcp", "udp"} {
		srv := nettest.Echo(t, cs[1], network, "10.88.0.3:0")
		seen, err := nettest.Probe(cs[0], network, srv.String(), 2*time.Second)
		if err != nil {
			t.Fatalf("%s between containers on one bridge: %v", network, err)
		}
		if want := netip.MustParseAddr("10.88.0.2"); seen.Addr() != want {
			t.Errorf("%s: server saw %s, want %s", network, seen.Addr(), want)
		}
	}
	// The host reaches a container through the gateway address.
	srv := nettest.Echo(t, cs[0], "tcp", "10.88.0.2:0")
	seen, err := nettest.Probe(host, "tcp", srv.String(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if seen.Addr() != testBridge.Gateway.Addr() {
		t.Errorf("container saw the host as %s, want %s", seen.Addr(), testBridge.Gateway.Addr())
	}
	// The container end has the derived MAC.
	err = netns.Do(cs[0], func() error {
		l, err := netlink.LinkByName("eth0")
		if err == nil && l.Attrs().HardwareAddr.String() != MACFor(netip.MustParseAddr("10.88.0.2")).String() {
			t.Errorf("eth0 MAC %s, want %s", l.Attrs().HardwareAddr, MACFor(netip.MustParseAddr("10.88.0.2")))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestEnsureBridgeSysctlsAndIdempotence(t *testing.T) {
	host := nettest.Namespace(t)
	before := map[string][]byte{}
	for _, s := range bridgeSysctls {
		before[s.key], _ = os.ReadFile("/proc/sys/" + s.key)
	}
	err := netns.Do(host, func() error {
		for range 2 {
			if err := EnsureBridge(testBridge); err != nil {
				return err
			}
		}
		for _, s := range append(bridgeSysctls, struct{ key, value string }{"net/ipv4/conf/wtest0/route_localnet", "1"}) {
			got, err := os.ReadFile("/proc/sys/" + s.key)
			if err != nil {
				return err
			}
			if strings.TrimSpace(string(got)) != s.value {
				t.Errorf("inside: %s = %q, want %s", s.key, got, s.value)
			}
		}
		l, err := netlink.LinkByName(testBridge.Name)
		if err != nil {
			return err
		}
		addrs, err := netlink.AddrList(l, netlink.FAMILY_V4)
		if len(addrs) != 1 || addrs[0].IPNet.String() != testBridge.Gateway.String() {
			t.Errorf("bridge addresses %v, want only %s", addrs, testBridge.Gateway)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range bridgeSysctls {
		if after, _ := os.ReadFile("/proc/sys/" + s.key); string(after) != string(before[s.key]) {
			t.Errorf("host %s changed from %q to %q", s.key, before[s.key], after)
		}
	}
	err = netns.Do(host, func() error {
		if err := DeleteBridge(testBridge.Name); err != nil {
			return err
		}
		if _, err := netlink.LinkByName(testBridge.Name); err == nil {
			t.Error("bridge still there after DeleteBridge")
		}
		return DeleteBridge(testBridge.Name)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDetach(t *testing.T) {
	host, cs := attached(t, "10.88.0.2/16")
	veth := HostVethName("c0")
	err := netns.Do(host, func() error {
		if err := Detach(veth); err != nil {
			return err
		}
		return Detach(veth)
	})
	if err != nil {
		t.Fatal(err)
	}
	netns.Do(cs[0], func() error {
		if _, err := netlink.LinkByName("eth0"); err == nil {
			t.Error("eth0 still in the container after Detach")
		}
		return nil
	})
}

func TestAttachFailureUndoes(t *testing.T) {
	host := nettest.Namespace(t)
	c := nettest.Namespace(t)
	if err := netns.Do(host, func() error { return EnsureBridge(testBridge) }); err != nil {
		t.Fatal(err)
	}
	good := Attachment{NetnsPath: c, Bridge: testBridge.Name, HostVeth: "wvfail", IfName: "eth0",
		Address: netip.MustParsePrefix("10.88.0.2/16"), Gateway: testBridge.Gateway.Addr()}
	tests := []struct {
		name string
		edit func(*Attachment)
		want string
	}{
		{"missing netns", func(a *Attachment) { a.NetnsPath = t.TempDir() + "/none" }, "none"},
		{"missing bridge", func(a *Attachment) { a.Bridge = "wnobridge" }, "wnobridge"},
		{"gateway off link", func(a *Attachment) {
			a.Address = netip.MustParsePrefix("10.88.0.2/32")
			a.Gateway = netip.MustParseAddr("10.99.0.1")
		}, "10.99.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := good
			tt.edit(&a)
			err := netns.Do(host, func() error { return Attach(a) })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Attach: %v, want an error naming %s", err, tt.want)
			}
			netns.Do(host, func() error {
				if _, err := netlink.LinkByName(a.HostVeth); err == nil {
					t.Errorf("failed Attach left %s on the host", a.HostVeth)
				}
				return nil
			})
			netns.Do(c, func() error {
				if _, err := netlink.LinkByName("eth0"); err == nil {
					t.Error("failed Attach left eth0 in the container")
				}
				return nil
			})
		})
	}
}

func TestHostVethName(t *testing.T) {
	for _, id := range []string{"abc", "0123456789abcdef0123456789abcdef"} {
		got := HostVethName(id)
		if len(got) > 15 || !strings.HasPrefix(got, "wv") || !strings.HasPrefix(id, got[2:]) {
			t.Errorf("HostVethName(%q) = %q", id, got)
		}
	}
}
