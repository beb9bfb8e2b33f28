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
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	wardBins.Remove()
	os.Exit(code)
}
