package initproc

import (
	"os"
	"runtime"
)

// The container's init re-executes ward-runtime as `ward-runtime init`
// (Run). It must run on the main thread: credentials and capabilities
// are per-thread, and exec happens from there. Only a goroutine locked in
// an init function is sure to be on the main thread when main runs, so
// the lock is taken here, in the init of a package ward-runtime links,
// before main.
func init() {
	if IsInit(os.Args) {
		runtime.LockOSThread()
	}
}

// IsInit tells whether a command line (os.Args) is the container's init's:
// `ward-runtime init`, on which main calls Run.
func IsInit(args []string) bool { return len(args) > 1 && args[1] == "init" }
