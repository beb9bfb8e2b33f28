package testutil

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// The subordinate id files `ward run --userns auto` adds its pool to.
const (
	SubUIDFile = "/etc/subuid"
	SubGIDFile = "/etc/subgid"
)

// subIDLock serializes the tests of every package that let ward change
// /etc/subuid and /etc/subgid (go test runs packages at once), so each
// puts back what it found and no test's restore lands in another's run.
const subIDLock = "/tmp/ward-test-subid.lock"

// RestoreSubIDFiles takes the machine-wide lock on the subordinate id
// files for the rest of tb and puts both files back as they were (or
// removes them) when it ends.
func RestoreSubIDFiles(tb testing.TB) {
	tb.Helper()
	lock, err := os.OpenFile(subIDLock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		lock.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { lock.Close() }) // runs last: after the files are back
	for _, path := range []string{SubUIDFile, SubGIDFile} {
		old, err := os.ReadFile(path)
		existed := err == nil
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			tb.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
		tb.Cleanup(func() {
			if !existed {
				os.Remove(path)
				return
			}
			if err := os.WriteFile(path, old, mode); err != nil {
				tb.Errorf("restoring %s: %v", path, err)
			}
		})
	}
}
