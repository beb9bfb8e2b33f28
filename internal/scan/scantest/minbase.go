// Package scantest gives scan tests a real Debian 12 minbase rootfs.
package scantest

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
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
	// Test packages run in parallel processes: one builds, the others wait.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(filepath.Join(dir, "var/lib/dpkg/status")); err == nil {
		return dir // built by another test process while this one waited
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	out, err := exec.Command("debootstrap", "--variant=minbase", "bookworm", tmp).CombinedOutput()
	if err != nil {
		t.Skipf("debootstrap failed (no mirror?): %v\n%s", err, out)
	}
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}
