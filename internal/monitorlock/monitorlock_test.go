package monitorlock

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// flock(2) locks belong to open file descriptions: two opens in one
// process exclude each other as two processes do.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	if Held(dir) {
		t.Fatal("held before any lock")
	}
	f, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !Held(dir) {
		t.Error("not held while locked")
	}
	if _, err := Lock(dir); !errors.Is(err, unix.EWOULDBLOCK) {
		t.Errorf("second Lock: %v, want EWOULDBLOCK", err)
	}
	if !Held(dir) {
		t.Error("Held released the lock it tested")
	}
	f.Close()
	if Held(dir) {
		t.Error("held after the lock was released")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the lock left %d files in the directory", len(entries))
	}
	if Held(filepath.Join(dir, "gone")) {
		t.Error("a removed directory is held")
	}
}

// A monitor started by a ward that locked monitor.lock is still seen.
func TestLegacyFileHonoured(t *testing.T) {
	dir := t.TempDir()
	legacy, err := os.OpenFile(filepath.Join(dir, legacyFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer legacy.Close()
	if Held(dir) {
		t.Fatal("an unlocked legacy file counts as held")
	}
	if err := unix.Flock(int(legacy.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if !Held(dir) {
		t.Error("a held legacy lock is not seen")
	}
	if _, err := Lock(dir); !errors.Is(err, unix.EWOULDBLOCK) {
		t.Errorf("Lock under a held legacy lock: %v, want EWOULDBLOCK", err)
	}
	unix.Flock(int(legacy.Fd()), unix.LOCK_UN)
	f, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after the legacy lock went: %v", err)
	}
	f.Close()
}
