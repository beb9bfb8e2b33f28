package network

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/nettest"
)

// TestEgressPolicies: every form of --egress allows exactly what it says
// and drops the rest, TCP and UDP, and inspect shows the effective policy.
func TestEgressPolicies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tcpA := w.echoOutside("tcp")
	tcpB := w.echoOutside("tcp")
	udpA := w.echoOutside("udp")
	portOf := func(s string) string { return s[strings.LastIndex(s, ":")+1:] }
	out := w.outAddr.String()
	targets := []string{"tcp " + tcpA, "tcp " + tcpB, "udp " + udpA}
	for _, tc := range []struct {
		name   string
		flags  []string
		allows []string // targets that must answer; the rest must be dropped
		shown  string   // inspect's Policy.Egress
	}{
		{"no policy", nil, targets, "allow-all"},
		{"deny-all", []string{"--egress", "deny-all"}, nil, "deny-all"},
		{"one address", []string{"--egress", "allow=" + out}, targets, "allow=" + out},
		{"one tcp port", []string{"--egress", "allow=" + out + ":" + portOf(tcpA) + "/tcp"}, targets[:1], ""},
		{"one udp port", []string{"--egress", "allow=" + out + ":" + portOf(udpA) + "/udp"}, targets[2:], ""},
		{"a port, any protocol", []string{"--egress", "allow=198.18.0.0/24:" + portOf(tcpB)}, targets[1:2], ""},
		{"repeated flags", []string{"--egress", "allow=" + out + ":" + portOf(tcpA) + "/tcp", "--egress", "allow=" + out + ":" + portOf(udpA) + "/udp"}, []string{targets[0], targets[2]}, ""},
		{"another subnet only", []string{"--egress", "allow=10.0.0.0/8"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "eg-" + strings.ReplaceAll(tc.name, " ", "-")
			name = strings.ReplaceAll(name, ",", "")
			w.must(append([]string{"run", "-d", "--name", name}, append(withProbe(tc.flags...)[:len(withProbe(tc.flags...))-1], "sleep", "100")...)...)
			defer w.must("rm", "-f", name)
			got := w.execDial(name, targets...)
			for _, tg := range targets {
				allowed := contains(tc.allows, tg)
				if (got[tg] == "ok") != allowed {
					t.Errorf("%s: %s, want allowed=%v", tg, got[tg], allowed)
				}
			}
			if shown := w.inspect(name).NetworkSettings.Policy.Egress; tc.shown != "" && shown != tc.shown {
				t.Errorf("inspect shows egress %q, want %q", shown, tc.shown)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestIngressPolicies: --ingress allow=CONTAINER|NETWORK|CIDR[:PORT]
// lets exactly those in.
func TestIngressPolicies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("network", "create", "--subnet", "10.90.0.0/24", "svc")
	w.must("run", "-d", "--name", "friend", "--network", "svc", "-v", bins.probeDir+":/probe:ro", "busybox", "sleep", "100")
	w.must("run", "-d", "--name", "stranger", "--network", "svc", "-v", bins.probeDir+":/probe:ro", "busybox", "sleep", "100")
	for _, tc := range []struct {
		name    string
		ingress string
		friend  bool // may friend connect
		other   bool // may stranger connect
	}{
		{"by container", "allow=friend", true, false},
		{"by network", "allow=svc", true, true},
		{"by address", "allow=" + w.ip("friend", "svc"), true, false},
		{"by address and port", "allow=" + w.ip("stranger", "svc") + ":80/tcp", false, true},
		{"another port only", "allow=10.90.0.0/24:81", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "in-" + strings.ReplaceAll(tc.name, " ", "-")
			w.serve(name, []string{"--network", "svc", "--ingress", tc.ingress}, "tcp", 80)
			defer w.must("rm", "-f", name)
			target := "tcp " + name + ":80"
			for who, want := range map[string]bool{"friend": tc.friend, "stranger": tc.other} {
				if got := w.execDial(who, target)[target]; (got == "ok") != want {
					t.Errorf("%s -> %s: %s, want allowed=%v", who, name, got, want)
				}
			}
		})
	}
}

// TestNetworkDefaultPolicy: a network's --egress is what its containers
// get unless they say otherwise.
func TestNetworkDefaultPolicy(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("network", "create", "--egress", "deny-all", "locked")
	srv := "tcp " + w.echoOutside("tcp")
	if got := w.dial([]string{"--network", "locked"}, srv); got[srv] == "ok" {
		t.Errorf("a container of a deny-all network reached the outside: %v", got)
	}
	if got := w.dial([]string{"--network", "locked", "--egress", "allow=" + w.outAddr.String()}, srv); got[srv] != "ok" {
		t.Errorf("the container's own policy does not override the network's: %v", got)
	}
	w.must("run", "-d", "--name", "shown", "--network", "locked", "busybox", "sleep", "100")
	if p := w.inspect("shown").NetworkSettings.Policy.Egress; p != "deny-all" {
		t.Errorf("inspect shows %q, want the network's deny-all", p)
	}
}

// TestPolicyHoldsAgainstRoot: a container with NET_ADMIN cannot lift its
// policy: the rules are outside its namespace, and taking another address
// is dropped by the anti-spoofing rules.
func TestPolicyHoldsAgainstRoot(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	srv := w.echoOutside("tcp")
	w.must(append([]string{"run", "-d", "--name", "root", "--cap-add", "NET_ADMIN", "--egress", "deny-all"},
		append(withProbe()[:len(withProbe())-1], "sleep", "100")...)...)
	ip := w.ip("root", "bridge")
	spoof := netip.MustParseAddr(ip).Next().Next().String()
	w.must("exec", "root", "sh", "-c", "ip addr flush dev eth0 && ip addr add "+spoof+"/16 dev eth0 && ip route add default dev eth0")
	if got := w.execDial("root", "tcp "+srv); got["tcp "+srv] == "ok" {
		t.Errorf("after changing its address, a deny-all container reached the outside: %v", got)
	}
}

// TestPoliciesSurviveRestart: stop and start keep the address and the
// rules.
func TestPoliciesSurviveRestart(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ok := "tcp " + w.echoOutside("tcp")
	denied := "tcp " + w.echoOutside("tcp")
	w.must(append([]string{"run", "-d", "--name", "again", "--egress", "allow=" + strings.Fields(ok)[1] + "/tcp"},
		append(withProbe()[:len(withProbe())-1], "sleep", "100")...)...)
	before := w.ip("again", "bridge")
	w.must("stop", "-t", "0", "again")
	w.must("start", "again")
	if after := w.ip("again", "bridge"); after != before {
		t.Errorf("address %s after restart, was %s", after, before)
	}
	got := w.execDial("again", ok, denied)
	if got[ok] != "ok" || got[denied] == "ok" {
		t.Errorf("after restart: %v; want only %s allowed", got, ok)
	}
}

// TestPublishedPorts: -p reaches the container from the host (all its
// addresses, or only 127.0.0.1 when given) and from other containers;
// -P publishes the image's EXPOSE ports; UDP too.
func TestPublishedPorts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.serve("web", []string{"-p", "8080:80", "-p", "127.0.0.1:8081:80", "-P"}, "tcp", 80)
	w.serve("dns", []string{"-p", "5353:53/udp"}, "udp", 53)
	ports := w.inspect("web").NetworkSettings.Ports["80/tcp"]
	var ephemeral string
	var hostIPs []string
	for _, b := range ports {
		hostIPs = append(hostIPs, b.HostIp+":"+b.HostPort)
		if b.HostPort != "8080" && b.HostPort != "8081" {
			ephemeral = b.HostPort
		}
	}
	if len(ports) != 3 || ephemeral == "" || !contains(hostIPs, "127.0.0.1:8081") || !contains(hostIPs, "0.0.0.0:8080") {
		t.Fatalf("inspect Ports[80/tcp] = %v; want 8080, 127.0.0.1:8081 and an ephemeral port", hostIPs)
	}
	hostAddr := "198.18.0.1" // the host namespace's address on its link out
	for _, tc := range []struct {
		proto, addr string
		want        bool
	}{
		{"tcp", "127.0.0.1:8080", true},
		{"tcp", hostAddr + ":8080", true},
		{"tcp", "127.0.0.1:8081", true},
		{"tcp", hostAddr + ":8081", false},
		{"tcp", "127.0.0.1:" + ephemeral, true},
		{"udp", hostAddr + ":5353", true},
	} {
		_, err := nettest.Probe(w.ns, tc.proto, tc.addr, 1500*time.Millisecond)
		if (err == nil) != tc.want {
			t.Errorf("from the host, %s %s: %v, want reachable=%v", tc.proto, tc.addr, err, tc.want)
		}
	}
	// From the outside, through the host's address.
	if _, err := nettest.Probe(w.outside, "tcp", hostAddr+":8080", 1500*time.Millisecond); err != nil {
		t.Errorf("from the outside, %s:8080: %v", hostAddr, err)
	}
	// From another container, through the host's address.
	got := w.dial(nil, "tcp "+hostAddr+":8080", "udp "+hostAddr+":5353")
	if got["tcp "+hostAddr+":8080"] != "ok" || got["udp "+hostAddr+":5353"] != "ok" {
		t.Errorf("from another container: %v", got)
	}
	// Released on rm: the port can be published again.
	w.must("rm", "-f", "web")
	w.must("run", "-d", "--name", "web2", "-p", "8080:80", "busybox", "sleep", "100")
}

// TestJoinContainerNetwork: --network container:NAME shares the other
// container's namespace (its loopback, its address).
func TestJoinContainerNetwork(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.serve("main", nil, "tcp", 80)
	got := w.dial([]string{"--network", "container:main"}, "tcp 127.0.0.1:80")
	if got["tcp 127.0.0.1:80"] != "ok" {
		t.Errorf("sidecar -> 127.0.0.1:80 of the container it joined: %v", got)
	}
	addr := w.ip("main", "bridge")
	if out := w.must("run", "--rm", "--network", "container:main", "busybox", "ip", "-o", "-4", "addr", "show", "eth0"); !strings.Contains(out, addr+"/") {
		t.Errorf("the sidecar's eth0: %q, want %s", out, addr)
	}
}

// TestNoneNetwork: --network none has only lo; deny-all is accepted
// (there is nothing to allow) and shown.
func TestNoneNetwork(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	out := w.must("run", "--rm", "--network", "none", "--egress", "deny-all", "busybox", "ip", "-o", "link")
	if n := strings.Count(strings.TrimSpace(out), "\n") + 1; n != 1 {
		t.Errorf("links with --network none: %q", out)
	}
	w.must("run", "-d", "--name", "lone", "--network", "none", "busybox", "sleep", "100")
	if p := w.inspect("lone").NetworkSettings.Policy; p.Egress != "deny-all" {
		t.Errorf("inspect: %+v", p)
	}
}

// TestCheckReadsPolicies: `ward check` on `ward inspect` output reports
// the container with unrestricted egress and its port on all interfaces,
// and not the one with a policy and a port on 127.0.0.1.
func TestCheckReadsPolicies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("run", "-d", "--name", "open", "-p", "8080:80", "busybox", "sleep", "100")
	w.must("run", "-d", "--name", "closed", "--egress", "deny-all", "-p", "127.0.0.1:8081:80", "busybox", "sleep", "100")
	file := filepath.Join(t.TempDir(), "inspect.json")
	if err := os.WriteFile(file, []byte(w.must("inspect", "open", "closed")), 0o644); err != nil {
		t.Fatal(err)
	}
	var report struct {
		Findings []struct{ Rule, Resource string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(w.must("check", "--format", "json", file)), &report); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range report.Findings {
		got[f.Rule+" "+f.Resource] = true
	}
	for finding, want := range map[string]bool{
		"WD171 container open": true, "WD230 container open": true,
		"WD171 container closed": false, "WD230 container closed": false,
	} {
		if got[finding] != want {
			t.Errorf("finding %q reported: %v, want %v", finding, got[finding], want)
		}
	}
}

// TestDNSOnlyWhenAllowed: with a restricted policy, the container's
// resolver is reachable on port 53 only with allow=dns. The resolver's
// address (from the host's resolv.conf) is given to the outside
// namespace, so the query never leaves the test's namespaces.
func TestDNSOnlyWhenAllowed(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("run", "-d", "--name", "probe", "--egress", "deny-all", "busybox", "sleep", "100")
	var resolver string
	for _, line := range strings.Split(w.must("exec", "probe", "cat", "/etc/resolv.conf"), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "nameserver" && strings.Count(f[1], ".") == 3 {
			resolver = f[1]
			break
		}
	}
	if resolver == "" {
		t.Skip("skipped: the host's resolv.conf names no IPv4 resolver")
	}
	if strings.HasPrefix(resolver, "127.") {
		t.Fatalf("resolv.conf keeps the loopback resolver %s", resolver)
	}
	err := netns.Do(w.outside, func() error {
		l, err := netlink.LinkByName("eth0")
		if err != nil {
			return err
		}
		a, _ := netlink.ParseAddr(resolver + "/32")
		return netlink.AddrAdd(l, a)
	})
	if err != nil {
		t.Fatal(err)
	}
	dns := "udp " + nettest.Echo(t, w.outside, "udp", resolver+":53").String()
	other := "tcp " + w.echoOutside("tcp")
	for _, tc := range []struct {
		egress    string
		dns, rest bool
	}{
		{"deny-all", false, false},
		{"allow=dns", true, false},
		{"allow=dns," + strings.Fields(other)[1], true, true},
	} {
		got := w.dial([]string{"--egress", tc.egress}, dns, other)
		if (got[dns] == "ok") != tc.dns || (got[other] == "ok") != tc.rest {
			t.Errorf("--egress %s: %v; want resolver reachable=%v, other=%v", tc.egress, got, tc.dns, tc.rest)
		}
	}
}

// TestNetworkComesBack: a stopped container whose namespace and veth are
// gone (the machine rebooted) gets them back, same address and rules, on
// start.
func TestNetworkComesBack(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	allowed := "tcp " + w.echoOutside("tcp")
	denied := "tcp " + w.echoOutside("tcp")
	w.must(append([]string{"run", "-d", "--name", "phoenix", "--egress", "allow=" + strings.Fields(allowed)[1] + "/tcp"},
		append(withProbe()[:len(withProbe())-1], "sleep", "100")...)...)
	got := w.inspect("phoenix")
	before := got.NetworkSettings.Networks["bridge"].IPAddress
	w.must("stop", "-t", "0", "phoenix")
	if err := netns.Remove(got.NetworkSettings.SandboxKey); err != nil {
		t.Fatal(err)
	}
	err := netns.Do(w.ns, func() error {
		l, err := netlink.LinkByName("wv" + got.ID[:11])
		if err != nil {
			return nil // went with the namespace
		}
		if err := netlink.LinkDel(l); err != nil && !errors.Is(err, syscall.ENODEV) {
			return err // ENODEV: going with the namespace meanwhile
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.must("start", "phoenix")
	if after := w.ip("phoenix", "bridge"); after != before {
		t.Errorf("address %s after the namespace came back, was %s", after, before)
	}
	res := w.execDial("phoenix", allowed, denied)
	if res[allowed] != "ok" || res[denied] == "ok" {
		t.Errorf("after the namespace came back: %v; want only %s", res, allowed)
	}
}

// TestDefaultNetworkSetting: $WARD_DEFAULT_NETWORK, then "default-network"
// in ward's config file, change where a plain `ward run` goes.
func TestDefaultNetworkSetting(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cfg := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(cfg, []byte(`{"default-network": "none"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"nothing set", nil, "bridge"},
		{"environment", []string{"WARD_DEFAULT_NETWORK=none"}, "none"},
		{"config file", []string{"WARD_CONFIG=" + cfg}, "none"},
		{"environment over config", []string{"WARD_CONFIG=" + cfg, "WARD_DEFAULT_NETWORK=bridge"}, "bridge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := nettest.Command(t, w.ns, bins.ward, "--root", w.root, "create", "busybox", "true")
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "WARD_CONFIG=/nonexistent"}, tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			id := strings.TrimSpace(string(out))
			defer w.must("rm", id)
			if mode := w.inspect(id).HostConfig.NetworkMode; mode != tc.want {
				t.Errorf("NetworkMode %q, want %q", mode, tc.want)
			}
		})
	}
}
