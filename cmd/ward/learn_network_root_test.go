package main

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/learnprofile"
)

// On the host's network (loopback only): the socket programs see the
// workload's connection and its listener as on a bridge; the profile
// then applies with --network host without an egress policy, which ward
// refuses there. A workload that opens a raw socket gets no profile:
// its traffic is not seen.
func TestLearnNetworkHost(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	dest := l.Addr().(*net.TCPAddr).Port
	port := freePort(t)
	script := "busybox httpd -f -p 127.0.0.1:" + port + " -h /etc & " +
		"until busybox wget -q -O /dev/null http://127.0.0.1:" + port + "/passwd 2>/dev/null; do busybox usleep 20000; done; " +
		"busybox nc 127.0.0.1 " + strconv.Itoa(dest) + " </dev/null"
	runArgs := []string{"--network", "host", "busybox", "sh", "-c", script}
	profile := filepath.Join(t.TempDir(), "host.json")
	_, stderr, code := w.run(t, nil, append([]string{"learn", "-o", profile}, runArgs...)...)
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
	want := learnprofile.Destination{Address: "127.0.0.1", Port: uint16(dest), Protocol: "tcp"}
	if !slices.Contains(p.Network.Destinations, want) {
		t.Errorf("destinations %+v lack %+v", p.Network.Destinations, want)
	}
	n, _ := strconv.Atoi(port)
	if !slices.Contains(p.Network.Listening, learnprofile.Listener{Address: "127.0.0.1", Port: uint16(n), Protocol: "tcp"}) {
		t.Errorf("listening %+v: want 127.0.0.1:%s/tcp", p.Network.Listening, port)
	}
	// Loopback is not egress, and on the host's network no policy applies.
	if e := p.Egress(); e != "deny-all" || !strings.Contains(stderr, "egress deny-all (not applied with --network host)") {
		t.Errorf("egress %q; summary %s", e, stderr)
	}
	if _, stderr, code := w.run(t, nil, append([]string{"run", "--rm", "--profile", profile}, runArgs...)...); code != 0 {
		t.Errorf("ward run --profile --network host: exit %d: %s", code, stderr)
	}

	// A raw socket (busybox ping, as root with Docker's NET_RAW): exit
	// 125, one line naming it, no profile.
	raw := filepath.Join(t.TempDir(), "raw.json")
	_, stderr, code = w.run(t, nil, "learn", "-o", raw, "--network", "host", "busybox", "busybox", "ping", "-c", "1", "-W", "1", "127.0.0.1")
	if code != 125 || !strings.Contains(stderr, "could not see all of the workload's network use (a raw socket)") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("learning a workload with a raw socket: exit %d, %q; want 125 and one line naming it", code, stderr)
	}
	t.Logf("%s", strings.TrimSpace(stderr))
	if _, err := os.Stat(raw); err == nil {
		t.Error("a workload whose network was not seen got a profile")
	}
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("learning left %v", left)
	}
}
