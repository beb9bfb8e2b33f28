package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/network/nettest"
	"github.com/wardproject/ward/internal/testutil"
)

// passable lets a mapped root walk from / to each path (o+x), as it must
// to reach its rootfs under ward's root and the probe it bind-mounts.
func passable(t *testing.T, paths ...string) {
	for _, p := range paths {
		// Up to the temporary directory, which is left as it is.
		for d := p; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
			fi, err := os.Stat(d)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm()&0o001 == 0 {
				if err := os.Chmod(d, fi.Mode()&os.ModePerm|0o011); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestUsernsNetwork: a container whose root is an unprivileged host uid
// on the default bridge serves a published port, reaches the outside,
// and is held by its egress policy, as any other container.
func TestUsernsNetwork(t *testing.T) {
	w := newWorld(t)
	testutil.RestoreSubIDFiles(t)
	passable(t, w.root, bins.probeDir)
	auto := []string{"--userns", "auto"}
	w.serve("web", append(auto, "-p", "8080:80"), "tcp", 80)
	if uidMap := w.must("exec", "web", "cat", "/proc/self/uid_map"); strings.Fields(uidMap)[1] == "0" {
		t.Fatalf("web runs as the host's root: uid_map %q", uidMap)
	}
	hostAddr := "198.18.0.1"
	if _, err := nettest.Probe(w.outside, "tcp", hostAddr+":8080", 1500*time.Millisecond); err != nil {
		t.Errorf("from the outside, the published port %s:8080: %v", hostAddr, err)
	}
	echo := w.echoOutside("tcp")
	if got := w.dial(auto, "tcp "+echo); got["tcp "+echo] != "ok" {
		t.Errorf("--userns auto, no policy, to the outside: %v", got)
	}
	if got := w.dial(append(auto, "--egress", "deny-all"), "tcp "+echo); got["tcp "+echo] == "ok" {
		t.Errorf("--userns auto --egress deny-all reached the outside: %v", got)
	}
	if got := w.dial(auto, "tcp "+hostAddr+":8080"); got["tcp "+hostAddr+":8080"] != "ok" {
		t.Errorf("one --userns auto container to another's published port: %v", got)
	}
	w.must("rm", "-f", "web")
	if left, _ := os.ReadDir(filepath.Join(w.root, "userns")); len(left) != 0 {
		t.Errorf("user namespaces still bound after rm: %d", len(left))
	}
}

// TestUsernsNetworkComesBack: after a reboot (simulated: the container's
// network namespace, the user namespace that owns it and its root's
// mount are gone), `ward start` makes them again with the same mapping,
// and the container is back on its network.
func TestUsernsNetworkComesBack(t *testing.T) {
	w := newWorld(t)
	testutil.RestoreSubIDFiles(t)
	passable(t, w.root, bins.probeDir)
	w.serve("phoenix", []string{"--userns", "auto"}, "tcp", 80)
	got := w.inspect("phoenix")
	before := w.must("exec", "phoenix", "cat", "/proc/self/uid_map")
	w.must("stop", "-t", "0", "phoenix")
	for _, p := range []string{got.NetworkSettings.SandboxKey, filepath.Join(w.root, "userns", got.ID), filepath.Join(w.root, "snapshots", got.ID, "rootfs")} {
		if err := unix.Unmount(p, unix.MNT_DETACH); err != nil {
			t.Fatalf("unmounting %s: %v", p, err)
		}
	}
	w.must("start", "phoenix")
	if after := w.must("exec", "phoenix", "cat", "/proc/self/uid_map"); after != before {
		t.Errorf("uid_map after the restart %q, was %q", after, before)
	}
	if res := w.dial([]string{"--userns", "auto"}, "tcp "+w.ip("phoenix", "bridge")+":80"); res["tcp "+w.ip("phoenix", "bridge")+":80"] != "ok" {
		t.Errorf("phoenix does not serve after the restart: %v", res)
	}
}
