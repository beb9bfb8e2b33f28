// Package dockerdiff runs the same `docker run` and `ward run` command
// lines on the same busybox image and compares what the container sees:
// identity, capabilities, no_new_privs, seccomp, processes, mounts,
// masked paths, devices, and which writes and privileged actions work.
// Outside the few places where ward is meant to do better than Docker,
// every line must be equal.
//
// The test starts its own dockerd (Debian's docker.io) with its own data
// root, exec root and socket, so a system Docker is never read or
// touched, and tears it down by PID.
package dockerdiff

import (
	"os"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	// binDir holds ward and ward-runtime built for this test binary.
	binDir string
	binErr error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
