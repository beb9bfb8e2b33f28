// Package monitorlock is a container's monitor lock: held by the one
// process that supervises the container (a foreground `ward run`, or the
// container's ward-monitor) for as long as it does, and tested by the
// commands that must know whether a container is watched. It is an
// exclusive flock(2) on the container's record directory itself, which
// exists as long as the container does; a lock file was one more file
// created and removed on every `ward run --rm`, and each new inode is
// costly on a busy ext4 (BENCHMARKS.md, issue #11). Kept apart and small:
// ward-monitor imports it.
package monitorlock

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// legacyFile is the file whose lock ward took before: a monitor started
// by such a ward may still hold it, so it is honoured while it exists.
const legacyFile = "monitor.lock"

// Lock takes the monitor lock of the container directory dir, failing
// with unix.EWOULDBLOCK when another process holds it. Closing the
// returned file releases it.
func Lock(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	if legacyHeld(dir) {
		f.Close()
		return nil, unix.EWOULDBLOCK
	}
	return f, nil
}

// Held tells whether some process holds the monitor lock of the
// container directory dir.
func Held(dir string) bool {
	f, err := os.Open(dir)
	if err != nil {
		return false // removed
	}
	defer f.Close()
	if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil {
		return true
	}
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return legacyHeld(dir)
}

// legacyHeld tells whether a process holds dir's legacy lock file.
func legacyHeld(dir string) bool {
	// No O_CREATE: a lock file made here could land in a directory that
	// is being removed.
	f, err := os.OpenFile(filepath.Join(dir, legacyFile), os.O_RDWR, 0)
	if err != nil {
		return false // the usual case: there is none
	}
	defer f.Close()
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil
}
