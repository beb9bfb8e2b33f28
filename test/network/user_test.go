package network

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/wardproject/ward/internal/network/nettest"
)

// TestUserNetworkNames: containers of one user network reach each other
// by name through /etc/hosts, which is rewritten for running peers as
// containers join and leave.
func TestUserNetworkNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("network", "create", "--subnet", "10.77.0.0/24", "app")
	w.serve("db", []string{"--network", "app"}, "tcp", 5432)
	if ip := w.ip("db", "app"); ip != "10.77.0.2" {
		t.Errorf("first address of 10.77.0.0/24: %s, want 10.77.0.2", ip)
	}
	res := w.dial([]string{"--network", "app", "--name", "client"}, "tcp db:5432")
	if res["tcp db:5432"] != "ok" {
		t.Errorf("client -> db by name: %v", res)
	}
	w.must("run", "-d", "--name", "late", "--network", "app", "busybox", "sleep", "100")
	lateIP := w.ip("late", "app")
	if hosts := w.must("exec", "db", "cat", "/etc/hosts"); !strings.Contains(hosts, lateIP+"\tlate\n") {
		t.Errorf("db's /etc/hosts does not list the container that joined after it:\n%s", hosts)
	}
	w.must("rm", "-f", "late")
	if hosts := w.must("exec", "db", "cat", "/etc/hosts"); strings.Contains(hosts, "\tlate\n") {
		t.Errorf("db's /etc/hosts still lists a removed container:\n%s", hosts)
	}
	// The default bridge lists no peers, as Docker's.
	w.must("run", "-d", "--name", "b1", "busybox", "sleep", "100")
	w.must("run", "-d", "--name", "b2", "busybox", "sleep", "100")
	if hosts := w.must("exec", "b1", "cat", "/etc/hosts"); strings.Contains(hosts, "b2") {
		t.Errorf("the default bridge lists peers by name:\n%s", hosts)
	}
}

// TestIsolation: containers on different networks cannot reach each
// other; an --internal network has no way out; the rest reach the outside.
func TestIsolation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("network", "create", "front")
	w.must("network", "create", "back")
	w.must("network", "create", "--internal", "vault")
	if !w.network("vault").Internal {
		t.Error("network inspect: vault is not internal")
	}
	w.serve("api", []string{"--network", "back"}, "tcp", 80)
	api := "tcp " + w.ip("api", "back") + ":80"
	out := "tcp " + w.echoOutside("tcp")
	for _, tc := range []struct {
		network string
		want    map[string]string
	}{
		{"back", map[string]string{api: "ok", out: "ok"}},
		{"front", map[string]string{api: "blocked", out: "ok"}},
		{"bridge", map[string]string{api: "blocked", out: "ok"}},
		{"vault", map[string]string{api: "blocked", out: "blocked"}},
	} {
		t.Run(tc.network, func(t *testing.T) {
			got := w.dial([]string{"--network", tc.network}, api, out)
			for target, want := range tc.want {
				if (got[target] == "ok") != (want == "ok") {
					t.Errorf("%s: %s, want %s", target, got[target], want)
				}
			}
		})
	}
}

// TestConnectDisconnect: a container joins a second network on eth1
// and reaches its peers, then leaves it.
func TestConnectDisconnect(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("network", "create", "one")
	w.must("network", "create", "two")
	w.serve("srv", []string{"--network", "two"}, "tcp", 80)
	target := "tcp " + w.ip("srv", "two") + ":80"
	w.must("run", "-d", "--name", "cc", "-v", bins.probeDir+":/probe:ro", "--network", "one", "busybox", "sleep", "100")
	if got := w.execDial("cc", target); got[target] == "ok" {
		t.Fatalf("reached another network before connect: %v", got)
	}
	w.must("network", "connect", "two", "cc")
	if got := w.inspect("cc").NetworkSettings.Networks; len(got) != 2 {
		t.Errorf("inspect after connect: %+v, want two networks", got)
	}
	if got := w.execDial("cc", target, "tcp srv:80"); got[target] != "ok" || got["tcp srv:80"] != "ok" {
		t.Errorf("after connect: %v", got)
	}
	w.must("network", "disconnect", "two", "cc")
	if got := w.execDial("cc", target); got[target] == "ok" {
		t.Errorf("reached the network after disconnect: %v", got)
	}
	if n := w.network("two"); len(n.Containers) != 1 {
		t.Errorf("network two lists %v after disconnect, want only srv", n.Containers)
	}
}

// TestNoLeakNoDuplicate: concurrent runs on a small network get distinct
// addresses; after rm every address is free again.
func TestNoLeakNoDuplicate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("network", "create", "--subnet", "10.66.0.0/28", "tiny") // 13 addresses
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errOut, code := w.ward("run", "-d", "--name", fmt.Sprintf("c%d", i), "--network", "tiny", "busybox", "sleep", "100")
			if code != 0 {
				errs <- errOut
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("concurrent run: %s", e)
	}
	seen := map[string]string{}
	for i := range n {
		name := fmt.Sprintf("c%d", i)
		ip := w.ip(name, "tiny")
		if other, dup := seen[ip]; dup {
			t.Errorf("address %s given to %s and %s", ip, other, name)
		}
		seen[ip] = name
	}
	for i := range n {
		w.must("rm", "-f", fmt.Sprintf("c%d", i))
	}
	if got := w.network("tiny").Containers; len(got) != 0 {
		t.Errorf("after rm: %v", got)
	}
	w.must("run", "-d", "--name", "again", "--network", "tiny", "busybox", "sleep", "100")
	if ip := w.ip("again", "tiny"); ip != "10.66.0.2" {
		t.Errorf("after every rm the first address is %s, want 10.66.0.2 free again", ip)
	}
	w.must("rm", "-f", "again")
	w.must("network", "rm", "tiny")
	if tables := w.tables(); len(tables) != 0 {
		t.Errorf("tables %v stay after the last network and container went", tables)
	}
}

// TestBadInput: one clear line, exit status 1 (network verbs) or 125
// (run), and nothing half-made.
func TestBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("network", "create", "--subnet", "10.55.0.0/16", "taken")
	w.must("run", "-d", "--name", "holder", "-p", "8080:80", "busybox", "sleep", "100")
	nettest.Echo(t, w.ns, "tcp", "0.0.0.0:9090") // a process of the host holds 9090
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		message string
	}{
		{"overlapping subnet", []string{"network", "create", "--subnet", "10.55.3.0/24", "other"}, 1, "overlaps subnet 10.55.0.0/16 of network taken"},
		{"cidr that does not parse", []string{"network", "create", "--subnet", "10.55.0.0/33", "other"}, 1, `invalid --subnet "10.55.0.0/33"`},
		{"not a network address", []string{"network", "create", "--subnet", "10.56.0.1/16", "other"}, 1, "did you mean 10.56.0.0/16"},
		{"gateway outside", []string{"network", "create", "--subnet", "10.57.0.0/24", "--gateway", "10.58.0.1", "other"}, 1, "not a host address"},
		{"same name", []string{"network", "create", "taken"}, 1, "already exists"},
		{"reserved name", []string{"network", "create", "bridge"}, 1, "reserved"},
		{"bad egress", []string{"network", "create", "--egress", "allow=10.0.0.0/99", "other"}, 1, "--egress"},
		{"remove default", []string{"network", "rm", "bridge"}, 1, "pre-defined"},
		{"remove in use", []string{"network", "rm", "bridge"}, 1, "pre-defined"},
		{"unknown network", []string{"run", "--rm", "--network", "nosuch", "busybox", "true"}, 125, "network nosuch not found"},
		{"port allocated", []string{"run", "--rm", "-p", "8080:80", "busybox", "true"}, 125, "port is already allocated"},
		{"port in use on the host", []string{"run", "--rm", "-p", "9090:80", "busybox", "true"}, 125, "in use on the host"},
		{"bad port", []string{"run", "--rm", "-p", "80:http", "busybox", "true"}, 125, "not a port number"},
		{"bad egress on run", []string{"run", "--rm", "--egress", "allow=nonsense/8", "busybox", "true"}, 125, "--egress"},
		{"policy with host network", []string{"run", "--rm", "--network", "host", "--egress", "deny-all", "busybox", "true"}, 125, "cannot be enforced with --network host"},
		{"allow with no network", []string{"run", "--rm", "--network", "none", "--egress", "allow=10.0.0.1", "busybox", "true"}, 125, "nothing to allow"},
		{"unknown ingress peer", []string{"run", "--rm", "--ingress", "allow=nosuchpeer", "busybox", "true"}, 125, "nosuchpeer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := w.state()
			_, errOut, code := w.ward(tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.message) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("exit %d, stderr %q; want exit %d and one line saying %q", code, errOut, tc.code, tc.message)
			}
			if after := w.state(); after != before {
				t.Errorf("a failed command changed the state:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// state is what a failed command must not change: containers, networks
// and their members, links and tables of the host namespace.
func (w *world) state() string {
	ps := w.must("ps", "-aq")
	nets := w.must("network", "inspect", "taken", "bridge")
	var links []string
	netnsLinks(w, &links)
	return fmt.Sprint(ps, nets, links, w.tables())
}
