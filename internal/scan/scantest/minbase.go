// Package scantest gives scan tests a real Debian 12 minbase rootfs.
package scantest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// minbaseDefault is where the Debian 12 minbase rootfs is cached between
// runs; WARD_TEST_MINBASE overrides it.
const minbaseDefault = "/var/cache/ward-test/minbase"

// MinbaseRootfs returns a Debian 12 minbase rootfs, building it with
// debootstrap on first use (root and network to the Debian mirror needed).
func MinbaseRootfs(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("WARD_TEST_MINBASE")
	if dir == "" {
		dir = minbaseDefault
	}
	if _, err := os.Stat(filepath.Join(dir, "var/lib/dpkg/status")); err == nil {
		return dir
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Skipf("no minbase rootfs at %s and debootstrap is not installed (apt-get install debootstrap)", dir)
	}
	if os.Geteuid() != 0 {
		t.Skipf("no minbase rootfs at %s and building one with debootstrap needs root", dir)
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("debootstrap", "--variant=minbase", "bookworm", tmp).CombinedOutput()
	if err != nil {
		t.Skipf("debootstrap failed (no mirror?): %v\n%s", err, out)
	}
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}
