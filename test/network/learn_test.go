package network

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"

	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/nettest"
)

// TestLearnNetwork is issue 14's network part on a bridge: a workload
// that serves HTTP with busybox httpd, queries its resolver and connects
// to a TCP server outside is learned. The profile records the
// destination, the resolver as dns and the listening port; `ward run
// --profile` then reaches the learned destination and the resolver and
// is dropped on another port of the same address and on another
// address (a second container), unless the command line's own --egress
// replaces the profile's; a profile whose destination was removed fails
// `ward learn --verify`; the conversions carry the egress and the port.
func TestLearnNetwork(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	learned := w.echoOutside("tcp")
	otherPort := w.echoOutside("tcp")
	w.serve("srv", nil, "tcp", 7000)
	otherAddr := w.ip("srv", "bridge") + ":7000"

	// The resolver the containers' resolv.conf names answers from the
	// outside namespace, as in TestDNSOnlyWhenAllowed.
	w.must("run", "-d", "--name", "resolv", "busybox", "sleep", "100")
	var resolver string
	for _, line := range strings.Split(w.must("exec", "resolv", "cat", "/etc/resolv.conf"), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "nameserver" && strings.Count(f[1], ".") == 3 {
			resolver = f[1]
			break
		}
	}
	w.must("rm", "-f", "resolv")
	if resolver == "" {
		t.Skip("skipped: the host's resolv.conf names no IPv4 resolver")
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
	dns := nettest.Echo(t, w.outside, "udp", resolver+":53").String()

	// httpd listens on 8080 (the loop waits until it answers), then the
	// workload asks its resolver and the server outside: its status is
	// whether both answered.
	script := `httpd -f -p 8080 -h /etc & until wget -q -O /dev/null http://127.0.0.1:8080/passwd 2>/dev/null; do usleep 20000; done
/probe/netprobe dial udp ` + dns + ` tcp ` + learned + ` > /tmp/dial; cat /tmp/dial; [ $(grep -c " ok " /tmp/dial) = 2 ]`
	runArgs := append(withProbe()[:len(withProbe())-1], "sh", "-c", script)
	profile := filepath.Join(t.TempDir(), "net.json")
	_, stderr, code := w.ward(append([]string{"learn", "-o", profile}, runArgs...)...)
	if code == 125 && strings.Contains(stderr, "learning needs") {
		t.Skipf("skipped: %s", stderr)
	}
	if code != 0 {
		t.Fatalf("ward learn: exit %d: %s", code, stderr)
	}
	t.Logf("%s", strings.TrimSpace(stderr))
	p, err := learnprofile.Read(profile)
	if err != nil {
		t.Fatal(err)
	}
	if p.Network == nil {
		t.Fatal("the profile has no network section")
	}
	dest := func(s, proto string, isDNS bool) learnprofile.Destination {
		ap := netip.MustParseAddrPort(s)
		return learnprofile.Destination{Address: ap.Addr().String(), Port: ap.Port(), Protocol: proto, DNS: isDNS}
	}
	for _, d := range []learnprofile.Destination{dest(learned, "tcp", false), dest(dns, "udp", true)} {
		if !slices.Contains(p.Network.Destinations, d) {
			t.Errorf("destinations %+v lack %+v", p.Network.Destinations, d)
		}
	}
	if !slices.ContainsFunc(p.Network.Listening, func(l learnprofile.Listener) bool { return l.Port == 8080 && l.Protocol == "tcp" }) {
		t.Errorf("listening %+v: want 8080/tcp", p.Network.Listening)
	}
	wantEgress := "allow=dns," + learned + "/tcp"
	if e := p.Egress(); e != wantEgress {
		t.Errorf("egress %q, want %q (loopback is not egress)", e, wantEgress)
	}
	if !strings.Contains(stderr, "egress "+wantEgress) || !strings.Contains(stderr, "8080/tcp") {
		t.Errorf("the summary line names no egress or listening port: %s", stderr)
	}

	// The workload passes under its profile 5 times out of 5.
	for i := 0; i < 5; i++ {
		if out, stderr, code := w.ward(append([]string{"run", "--rm", "--profile", profile}, runArgs...)...); code != 0 {
			t.Fatalf("replay %d under the profile: exit %d: %s %s", i+1, code, out, stderr)
		}
	}
	// Under the profile: the learned destination and the resolver answer,
	// another port and another address are dropped.
	targets := []string{"udp " + dns, "tcp " + learned, "tcp " + otherPort, "tcp " + otherAddr}
	got := w.dial([]string{"--profile", profile}, targets...)
	for i, tg := range targets {
		if want := i < 2; (got[tg] == "ok") != want {
			t.Errorf("under the profile, %s: %s; want reachable=%v", tg, got[tg], want)
		}
	}
	// inspect, and so ward check and --policy, see the policy enforced.
	w.must("create", "--name", "profiled", "--profile", profile, "busybox", "true")
	if shown := w.inspect("profiled").NetworkSettings.Policy.Egress; shown != wantEgress {
		t.Errorf("inspect shows egress %q, want %q", shown, wantEgress)
	}
	w.must("rm", "profiled")
	// --policy restricted requires an egress policy (WD171): the profile's
	// is one; the same run without the profile is refused for lacking it.
	nnp := []string{"run", "--rm", "--policy", "restricted", "--security-opt", "no-new-privileges"}
	if _, stderr, code := w.ward(append(nnp, "--profile", profile, "busybox", "true")...); code != 0 {
		t.Errorf("--policy restricted with the profile: exit %d: %s", code, stderr)
	}
	if _, stderr, code := w.ward(append(nnp, "busybox", "true")...); code != 125 || !strings.Contains(stderr, "WD171") {
		t.Errorf("--policy restricted without the profile: exit %d, %s; want 125 naming WD171", code, stderr)
	}
	// The command line's --egress replaces the profile's: the drops above
	// were the egress policy, not the profile's other restrictions.
	got = w.dial([]string{"--profile", profile, "--egress", "allow-all"}, targets...)
	for _, tg := range targets {
		if got[tg] != "ok" {
			t.Errorf("--profile with --egress allow-all, %s: %s; want ok", tg, got[tg])
		}
	}
	// With the host's network there is no policy of ours: the profile
	// applies without one (and without an error).
	if _, stderr, code := w.ward("run", "--rm", "--profile", profile, "--network", "host", "busybox", "true"); code != 0 {
		t.Errorf("--profile with --network host: exit %d: %s", code, stderr)
	}

	// --verify replays under the egress: the same line passes; a profile
	// whose destinations were removed (deny-all) fails, exit 1, naming
	// what its egress dropped.
	if _, stderr, code := w.ward(append([]string{"learn", "--verify", profile}, runArgs...)...); code != 0 {
		t.Errorf("learn --verify: exit %d: %s", code, stderr)
	}
	missed := *p
	missed.Network = &learnprofile.Network{Destinations: []learnprofile.Destination{}, Listening: p.Network.Listening}
	missedFile := filepath.Join(t.TempDir(), "missed.json")
	if err := missed.Write(missedFile); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := w.ward(append([]string{"learn", "--verify", missedFile}, runArgs...)...); code != 1 ||
		!strings.Contains(stderr, "the profile's egress dropped dns, "+learned+"/tcp") {
		t.Errorf("learn --verify of a profile without the destinations: exit %d, %s; want 1 naming what the egress dropped", code, stderr)
	}
	if got := w.dial([]string{"--profile", missedFile}, "tcp "+learned); got["tcp "+learned] != "blocked" {
		t.Errorf("a profile that saw no connection (deny-all): %v; want blocked", got)
	}

	// The conversions carry the egress and the listening port.
	out := w.must("learn", "--convert", profile, "--format", "flags")
	if !strings.Contains(out, "--egress "+wantEgress) || !strings.Contains(out, "-p 8080:8080") {
		t.Errorf("--format flags: %s", out)
	}
	if out := w.must("learn", "--convert", profile, "--format", "flags", "--network", "host"); strings.Contains(out, "--egress") || !strings.Contains(out, "-p 8080:8080") {
		t.Errorf("--format flags --network host: %s; want no --egress, which ward refuses there", out)
	}
	out = w.must("learn", "--convert", profile, "--format", "compose")
	if !strings.Contains(out, "x-ward-egress: "+wantEgress) || !strings.Contains(out, "8080:8080") {
		t.Errorf("--format compose:\n%s", out)
	}
	out = w.must("learn", "--convert", profile, "--format", "kubernetes")
	ap := netip.MustParseAddrPort(learned)
	for _, want := range []string{"containerPort: 8080", "kind: NetworkPolicy", "cidr: " + ap.Addr().String() + "/32", "port: " + strconv.Itoa(int(ap.Port())), "k8s-app: kube-dns"} {
		if !strings.Contains(out, want) {
			t.Errorf("--format kubernetes lacks %q:\n%s", want, out)
		}
	}
}
