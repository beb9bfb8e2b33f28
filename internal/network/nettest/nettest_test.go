package nettest

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestCommandSeesOnlyLo(t *testing.T) {
	ns := Namespace(t)
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("skipped: needs busybox (apt-get install busybox-static; CI installs it)")
	}
	out, err := Command(t, ns, busybox, "ip", "-o", "link").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.Count(strings.TrimSpace(string(out)), "\n") + 1; got != 1 || !strings.Contains(string(out), "lo:") {
		t.Errorf("links in a fresh namespace:\n%s\nwant only lo", out)
	}
}

func TestOutsideEcho(t *testing.T) {
	ns := Namespace(t)
	out, addr := Outside(t, ns)
	for _, network := range []string{"tcp", "udp"} {
		t.Run(network, func(t *testing.T) {
			srv := Echo(t, out, network, addr.String()+":0")
			seen, err := Probe(ns, network, srv.String(), 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if seen.Addr() != insideAddr.Addr() {
				t.Errorf("outside saw %s, want %s", seen, insideAddr.Addr())
			}
		})
	}
	// A namespace with no link to the outside cannot reach it.
	lone := Namespace(t)
	if _, err := Probe(lone, "tcp", addr.String()+":1", time.Second); err == nil {
		t.Error("a namespace with no link reached the outside")
	}
}
