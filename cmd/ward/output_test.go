package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitExited polls until the record of container id says exited: the
// monitor records the end only once the output is in the log.
func (w *wardEnv) waitExited(t *testing.T, id string) inspected {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := w.inspect(t, id)
		if got.State.Status == "exited" {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s still %s", id, got.State.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDetachedOutputDrained: a detached container that writes a lot to
// stdout and stderr and exits at once has all of it in its log by the
// time its exit is recorded.
func TestDetachedOutputDrained(t *testing.T) {
	w := newWardEnv(t)
	const lines = 20000 // about 200 KiB a stream: more than a pipe holds
	id := strings.TrimSpace(w.must(t, "run", "-d", "busybox", "sh", "-c",
		fmt.Sprintf("seq 1 %d; seq 1 %d >&2", lines, lines)))
	if got := w.waitExited(t, id); got.State.ExitCode != 0 {
		t.Fatalf("container %s: %+v", id, got.State)
	}
	counts := map[string]int{}
	out, errOut, code := w.run(t, nil, "logs", id)
	if code != 0 {
		t.Fatalf("logs %s: exit %d: %s", id, code, errOut)
	}
	// Each stream on its own: stdout's lines then stderr's.
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n")+"\n"+strings.TrimSuffix(errOut, "\n"), "\n") {
		counts[l]++
	}
	for _, n := range []int{1, lines / 2, lines} {
		if c := counts[strconv.Itoa(n)]; c != 2 {
			t.Errorf("line %d is in the log %d times, want 2 (stdout and stderr)", n, c)
		}
	}
	if total := len(counts); total != lines {
		t.Errorf("the log has %d distinct lines, want %d", total, lines)
	}
	w.must(t, "rm", id)
}

// TestDetachedLogIntegrity: a detached container's stdout and stderr are
// pipes, its stdin /dev/null, and it cannot truncate what it wrote to its
// log through them.
func TestDetachedLogIntegrity(t *testing.T) {
	w := newWardEnv(t)
	script := `echo before; for n in 0 1 2; do echo "fd $n: $(readlink /proc/self/fd/$n)"; done
truncate -s 0 /proc/self/fd/1 2>/dev/null; truncate -s 0 /proc/self/fd/2 2>/dev/null; echo after`
	id := strings.TrimSpace(w.must(t, "run", "-d", "busybox", "sh", "-c", script))
	w.waitExited(t, id)
	out := w.must(t, "logs", id)
	for _, want := range []string{"before\n", "fd 0: /dev/null\n", "fd 1: pipe:[", "fd 2: pipe:[", "after\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	w.must(t, "rm", id)
}

// TestDetachedMonitorDies: when the monitor dies, the read ends of the
// container's pipes close with it, so the container's next write fails
// instead of blocking, as under Docker when its shim dies: SIGPIPE kills
// a writer, and the init, which the kernel spares signals it does not
// handle, gets EPIPE (here its loop then ends, and so does the container).
func TestDetachedMonitorDies(t *testing.T) {
	w := newWardEnv(t)
	for _, tc := range []struct{ name, script string }{
		{"the init gets EPIPE", "while echo tick; do sleep 0.05; done; exit 3"},
		{"a child gets SIGPIPE", "(while :; do echo tick; sleep 0.05; done); exit 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := strings.TrimSpace(w.must(t, "run", "-d", "busybox", "sh", "-c", tc.script))
			pid := w.inspect(t, id).State.Pid
			monitor := monitorPid(t, id)
			if err := syscall.Kill(monitor, syscall.SIGKILL); err != nil {
				t.Fatalf("kill the monitor %d: %v", monitor, err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for processLives(pid) {
				if time.Now().After(deadline) {
					t.Fatalf("the container's init %d still runs 10 s after its monitor died", pid)
				}
				time.Sleep(50 * time.Millisecond)
			}
			w.must(t, "rm", "-f", id)
		})
	}
}

// monitorPid finds the monitor of container id: the process whose last
// argument is the ID.
func monitorPid(t *testing.T, id string) int {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err == nil && strings.HasSuffix(string(cmdline), "\x00"+id+"\x00") {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			return pid
		}
	}
	t.Fatalf("no monitor of %s", id)
	return 0
}

// processLives reports whether pid is a process that has not exited (a
// zombie has).
func processLives(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
