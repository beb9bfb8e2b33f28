package store

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func createNet(t *testing.T, s *Store, name, subnet string) Network {
	t.Helper()
	var n Network
	err := s.Update(func(tx *Tx) error {
		var err error
		n, err = tx.CreateNetwork(Network{Name: name, Subnet: netip.MustParsePrefix(subnet)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateNetwork(t *testing.T) {
	for _, tc := range []struct {
		name, net, subnet, gateway string
		want                       error
	}{
		{name: "plain", net: "front", subnet: "10.10.0.0/24"},
		{name: "gateway given", net: "front", subnet: "10.10.0.0/24", gateway: "10.10.0.254"},
		{name: "overlap", net: "front", subnet: "10.9.0.0/16", want: ErrConflict},
		{name: "inside another", net: "front", subnet: "10.9.3.0/24", want: ErrConflict},
		{name: "same name", net: "taken", subnet: "10.11.0.0/24", want: ErrConflict},
		{name: "reserved name", net: "host", subnet: "10.11.0.0/24", want: ErrInvalid},
		{name: "bad name", net: "-x", subnet: "10.11.0.0/24", want: ErrInvalid},
		{name: "not a network address", net: "front", subnet: "10.10.0.5/24", want: ErrInvalid},
		{name: "ipv6", net: "front", subnet: "fd00::/64", want: ErrInvalid},
		{name: "too small", net: "front", subnet: "10.10.0.0/31", want: ErrInvalid},
		{name: "gateway outside", net: "front", subnet: "10.10.0.0/24", gateway: "10.10.1.1", want: ErrInvalid},
		{name: "gateway is broadcast", net: "front", subnet: "10.10.0.0/24", gateway: "10.10.0.255", want: ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			createNet(t, s, "taken", "10.9.0.0/16")
			n := Network{Name: tc.net, Subnet: netip.MustParsePrefix(tc.subnet)}
			if tc.gateway != "" {
				n.Gateway = netip.MustParseAddr(tc.gateway)
			}
			var got Network
			err := s.Update(func(tx *Tx) error {
				var err error
				got, err = tx.CreateNetwork(n)
				return err
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("CreateNetwork: error %v, want %v", err, tc.want)
			}
			var list []Network
			s.View(func(tx *Tx) error { list, err = tx.Networks(); return err })
			if tc.want != nil {
				if len(list) != 1 {
					t.Errorf("a failed create left %d networks, want only the first", len(list))
				}
				return
			}
			if len(list) != 2 || len(got.Bridge) > 15 || got.ID == "" {
				t.Errorf("networks %+v, created %+v", list, got)
			}
			if tc.gateway == "" && got.Gateway != n.Subnet.Addr().Next() {
				t.Errorf("gateway %s, want the subnet's first address", got.Gateway)
			}
		})
	}
}

func TestChooseSubnet(t *testing.T) {
	for _, tc := range []struct {
		name   string
		nets   []string
		routes []string
		want   string
	}{
		{name: "empty", want: "172.17.0.0/16"},
		{name: "docker0 route", routes: []string{"172.17.0.0/16", "0.0.0.0/0"}, want: "172.18.0.0/16"},
		{name: "ward network", nets: []string{"172.17.0.0/16"}, routes: []string{"172.18.5.0/24"}, want: "172.19.0.0/16"},
		{name: "covering route", routes: []string{"172.16.0.0/12"}, want: "192.168.0.0/20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			for i, n := range tc.nets {
				createNet(t, s, fmt.Sprintf("n%d", i), n)
			}
			var routes []netip.Prefix
			for _, r := range tc.routes {
				routes = append(routes, netip.MustParsePrefix(r))
			}
			var got netip.Prefix
			err := s.View(func(tx *Tx) error {
				var err error
				got, err = tx.ChooseSubnet(routes)
				return err
			})
			if err != nil || got.String() != tc.want {
				t.Fatalf("ChooseSubnet = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestAllocateRelease(t *testing.T) {
	s := newStore(t)
	createNet(t, s, "small", "10.20.0.0/29") // gateway .1, hosts .2-.6
	var got []string
	alloc := func(id string, want netip.Addr) (Endpoint, error) {
		var ep Endpoint
		err := s.Update(func(tx *Tx) error {
			var err error
			ep, err = tx.Allocate("small", id, "wv"+id, want)
			return err
		})
		return ep, err
	}
	for i := range 5 {
		ep, err := alloc(strconv.Itoa(i), netip.Addr{})
		if err != nil {
			t.Fatalf("allocation %d: %v", i, err)
		}
		got = append(got, ep.Addr.String())
	}
	if fmt.Sprint(got) != "[10.20.0.2 10.20.0.3 10.20.0.4 10.20.0.5 10.20.0.6]" {
		t.Errorf("addresses %v", got)
	}
	if _, err := alloc("full", netip.Addr{}); !errors.Is(err, ErrConflict) {
		t.Errorf("allocation in a full subnet: %v, want a conflict", err)
	}
	if _, err := alloc("0", netip.Addr{}); !errors.Is(err, ErrConflict) {
		t.Errorf("second allocation of one container: %v, want a conflict", err)
	}
	if err := s.Update(func(tx *Tx) error { _, err := tx.Release("small", "2"); return err }); err != nil {
		t.Fatal(err)
	}
	ep, err := alloc("again", netip.Addr{})
	if err != nil || ep.Addr.String() != "10.20.0.4" || ep.MAC != "02:42:0a:14:00:04" || ep.IfName != "eth0" {
		t.Errorf("after release: %+v, %v; want 10.20.0.4 back", ep, err)
	}
	if _, err := alloc("fixed", netip.MustParseAddr("10.20.0.3")); !errors.Is(err, ErrConflict) {
		t.Errorf("asking for a used address: %v, want a conflict", err)
	}
	if err := s.Update(func(tx *Tx) error { _, err := tx.DeleteNetwork("small"); return err }); !errors.Is(err, ErrConflict) {
		t.Errorf("deleting a network in use: %v, want a conflict", err)
	}
}

func TestDeleteSandboxReleasesAll(t *testing.T) {
	s := newStore(t)
	createNet(t, s, "a", "10.30.0.0/24")
	createNet(t, s, "b", "10.31.0.0/24")
	err := s.Update(func(tx *Tx) error {
		if _, err := tx.PutSandbox(Sandbox{ContainerID: "c1", Ports: []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}}, nil); err != nil {
			return err
		}
		for _, n := range []string{"a", "b"} {
			if _, err := tx.Allocate(n, "c1", "wvc1", netip.Addr{}); err != nil {
				return err
			}
		}
		eps, err := tx.ContainerEndpoints("c1")
		if err != nil || len(eps) != 2 || eps[0].IfName != "eth0" || eps[1].IfName != "eth1" {
			return fmt.Errorf("endpoints %+v, %v", eps, err)
		}
		removed, err := tx.DeleteSandbox("c1")
		if err != nil || len(removed) != 2 {
			return fmt.Errorf("removed %+v, %v", removed, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		eps, _ := tx.Endpoints()
		sbs, _ := tx.Sandboxes()
		if len(eps)+len(sbs) != 0 {
			t.Errorf("left after delete: %+v %+v", eps, sbs)
		}
		return nil
	})
}

func TestPorts(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		name  string
		first Port
		next  Port
		busy  bool // the host reports the port taken
		want  error
	}{
		{name: "different ports", first: Port{HostPort: 8080, Proto: "tcp"}, next: Port{HostPort: 8081, Proto: "tcp"}},
		{name: "same port other proto", first: Port{HostPort: 8080, Proto: "tcp"}, next: Port{HostPort: 8080, Proto: "udp"}},
		{name: "same port", first: Port{HostPort: 8080, Proto: "tcp"}, next: Port{HostPort: 8080, Proto: "tcp"}, want: ErrConflict},
		{name: "all addresses and loopback", first: Port{HostPort: 8080, Proto: "tcp"}, next: Port{HostIP: lo, HostPort: 8080, Proto: "tcp"}, want: ErrConflict},
		{name: "two addresses", first: Port{HostIP: lo, HostPort: 8080, Proto: "tcp"}, next: Port{HostIP: netip.MustParseAddr("127.0.0.2"), HostPort: 8080, Proto: "tcp"}},
		{name: "taken on the host", first: Port{HostPort: 8080, Proto: "tcp"}, next: Port{HostPort: 9090, Proto: "tcp"}, busy: true, want: ErrConflict},
		{name: "ephemeral skips used", first: Port{HostPort: ephemeralFirst, Proto: "tcp"}, next: Port{Proto: "tcp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			var sb Sandbox
			err := s.Update(func(tx *Tx) error {
				if _, err := tx.PutSandbox(Sandbox{ContainerID: "one", Ports: []Port{tc.first}}, nil); err != nil {
					return err
				}
				free := func(p Port) bool { return !tc.busy }
				var err error
				sb, err = tx.PutSandbox(Sandbox{ContainerID: "two", Ports: []Port{tc.next}}, free)
				return err
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if err == nil && (sb.Ports[0].HostPort == 0 || sb.Ports[0].HostPort == tc.first.HostPort && sb.Ports[0].Proto == tc.first.Proto && sb.Ports[0].HostIP == tc.first.HostIP) {
				t.Errorf("ports %+v clash with %+v", sb.Ports, tc.first)
			}
			var n int
			s.View(func(tx *Tx) error { l, _ := tx.Sandboxes(); n = len(l); return nil })
			if want := map[bool]int{true: 2, false: 0}[err == nil]; n != want { // a failure rolls the whole transaction back
				t.Errorf("%d sandboxes recorded, want %d", n, want)
			}
		})
	}
}

// TestConcurrentAllocation allocates from many goroutines and many
// processes at once: every address is given once.
func TestConcurrentAllocation(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	createNet(t, s, "busy", "10.40.0.0/24")
	const goroutines, procs, each = 8, 4, 5
	var wg sync.WaitGroup
	errc := make(chan error, goroutines+procs)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- allocateMany(dir, fmt.Sprintf("g%d", g), each)
		}()
	}
	for p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), "STORE_HELPER_DIR="+dir, fmt.Sprintf("STORE_HELPER_PREFIX=p%d", p), "STORE_HELPER_N="+strconv.Itoa(each))
			if out, err := cmd.CombinedOutput(); err != nil {
				errc <- fmt.Errorf("helper process %d: %v: %s", p, err, out)
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[netip.Addr]string{}
	s.View(func(tx *Tx) error {
		eps, err := tx.NetworkEndpoints("busy")
		if err != nil {
			t.Fatal(err)
		}
		if len(eps) != (goroutines+procs)*each {
			t.Errorf("%d endpoints, want %d", len(eps), (goroutines+procs)*each)
		}
		for _, ep := range eps {
			if other, dup := seen[ep.Addr]; dup {
				t.Errorf("address %s given to %s and %s", ep.Addr, other, ep.ContainerID)
			}
			seen[ep.Addr] = ep.ContainerID
		}
		return nil
	})
}

func allocateMany(dir, prefix string, n int) error {
	s, err := Open(dir)
	if err != nil {
		return err
	}
	for i := range n {
		id := fmt.Sprintf("%s-%d", prefix, i)
		if err := s.Update(func(tx *Tx) error { _, err := tx.Allocate("busy", id, "wv"+id, netip.Addr{}); return err }); err != nil {
			return err
		}
	}
	return nil
}

// TestMain runs as TestConcurrentAllocation's other processes when
// STORE_HELPER_DIR is set: they allocate and exit, running no test.
func TestMain(m *testing.M) {
	if dir := os.Getenv("STORE_HELPER_DIR"); dir != "" {
		n, _ := strconv.Atoi(os.Getenv("STORE_HELPER_N"))
		if err := allocateMany(dir, os.Getenv("STORE_HELPER_PREFIX"), n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestEnsureDefault(t *testing.T) {
	s := newStore(t)
	docker0 := []netip.Prefix{netip.MustParsePrefix("172.17.0.0/16")}
	ensure := func(avoid []netip.Prefix) Network {
		t.Helper()
		var n Network
		if err := s.Update(func(tx *Tx) error { var err error; n, err = tx.EnsureDefault(avoid); return err }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	first := ensure(nil)
	if first.Name != DefaultNetwork || first.Bridge != DefaultBridge || first.Subnet.String() != "172.17.0.0/16" {
		t.Fatalf("default network %+v", first)
	}
	if again := ensure(nil); again.ID != first.ID {
		t.Errorf("a second EnsureDefault made a new network: %+v", again)
	}
	// A route now overlaps it and no container uses it: chosen again.
	if moved := ensure(docker0); moved.Subnet.String() != "172.18.0.0/16" {
		t.Errorf("with docker0's route: %s, want 172.18.0.0/16", moved.Subnet)
	}
	// In use: kept whatever the routes say.
	s.Update(func(tx *Tx) error { _, err := tx.Allocate(DefaultNetwork, "c1", "wvc1", netip.Addr{}); return err })
	if kept := ensure([]netip.Prefix{netip.MustParsePrefix("172.18.0.0/16")}); kept.Subnet.String() != "172.18.0.0/16" {
		t.Errorf("a default network in use moved to %s", kept.Subnet)
	}
}
