package prune

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/profilewatch"
)

// pruneObservers stops the ward-observe processes of this root (its
// --root, on their command line) whose container is not live: its
// monitor normally stops it, or it follows its monitor when that dies,
// so one left is a stray (started by hand, or stuck). A BPF link is
// held by its process only: it goes with it. SIGTERM first, so that it
// removes the cgroup it prepared; SIGKILL after a grace.
func (r *Report) pruneObservers(root string, live map[string]bool) {
	root = absClean(root)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		r.Errors = append(r.Errors, err)
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		// ward-observe --root ROOT ID
		args := bytes.Split(bytes.TrimSuffix(cmdline, []byte{0}), []byte{0})
		if len(args) != 4 || filepath.Base(string(args[0])) != profilewatch.ObserverBinary || string(args[1]) != "--root" ||
			absClean(string(args[2])) != root || live[string(args[3])] || !alive(pid) {
			continue
		}
		unix.Kill(pid, unix.SIGTERM)
		for deadline := time.Now().Add(2 * time.Second); alive(pid) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		if alive(pid) {
			unix.Kill(pid, unix.SIGKILL)
		}
		r.Observers = append(r.Observers, string(args[3])+" (pid "+strconv.Itoa(pid)+")")
	}
}

func absClean(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// alive tells whether pid runs (a zombie has let go of everything).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := bytes.Cut(stat, []byte(") "))
	return len(rest) > 0 && rest[0] != 'Z' && rest[0] != 'X'
}
