package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startForeground starts a foreground `ward run` and waits until ps shows
// its container running; it returns the command and the container's ID.
func (w *wardEnv) startForeground(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	fgSeq++
	name := fmt.Sprintf("fg%d", fgSeq)
	cmd := exec.Command(w.bin, append([]string{"--root", w.root, "run", "--name", name}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if out, _, code := w.run(t, nil, "inspect", name); code == 0 && strings.Contains(out, `"Running": true`) {
			return cmd, w.inspect(t, name).ID
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the container never showed as running")
	return nil, ""
}

var fgSeq int

// cgroupsOf lists the container's cgroup directories that exist.
func cgroupsOf(id string) []string {
	found, _ := filepath.Glob("/sys/fs/cgroup/*/ward/" + id)
	return found
}

// TestKilledForegroundRun is issue 12's third case: a foreground `ward
// run --rm` killed with SIGKILL. While its process lives, ps shows it Up
// (true) and rm -f removes it whole; once its process has exited, ps does
// not show it Up, and the first command that looks removes it (--rm).
func TestKilledForegroundRun(t *testing.T) {
	w := newWardEnv(t)
	t.Run("process still alive: rm -f cleans up", func(t *testing.T) {
		cmd, id := w.startForeground(t, "--rm", "busybox", "sleep", "60")
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if out := w.must(t, "ps", "-q"); strings.TrimSpace(out) != id[:12] {
			t.Errorf("ps after the kill: %q, want the container still up (its process lives)", out)
		}
		if _, errOut, code := w.run(t, nil, "rm", id); code == 0 || !strings.Contains(errOut, "running") {
			t.Errorf("rm without -f of a live container: exit %d, %q", code, errOut)
		}
		w.must(t, "rm", "-f", id)
		if left := append(w.leftovers(t), cgroupsOf(id)...); len(left) > 0 {
			t.Errorf("left after rm -f: %v", left)
		}
	})
	t.Run("process exited: ps shows the truth and cleans up", func(t *testing.T) {
		cmd, id := w.startForeground(t, "--rm", "busybox", "sleep", "1")
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		time.Sleep(1500 * time.Millisecond) // the process ends on its own
		if out := w.must(t, "ps", "-a"); strings.Contains(out, "Up ") {
			t.Errorf("ps -a shows a dead container up:\n%s", out)
		}
		if left := append(w.leftovers(t), cgroupsOf(id)...); len(left) > 0 {
			t.Errorf("left after ps: %v", left)
		}
	})
	t.Run("process exited: a later run takes its name", func(t *testing.T) {
		cmd, id := w.startForeground(t, "--rm", "busybox", "sleep", "1")
		name := fmt.Sprintf("fg%d", fgSeq)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		time.Sleep(1500 * time.Millisecond)
		w.must(t, "run", "--rm", "--name", name, "busybox", "true")
		if left := append(w.leftovers(t), cgroupsOf(id)...); len(left) > 0 {
			t.Errorf("left after the second run: %v", left)
		}
	})
	t.Run("without --rm: exited, and start works again", func(t *testing.T) {
		cmd, id := w.startForeground(t, "busybox", "sleep", "1")
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		time.Sleep(1500 * time.Millisecond)
		got := w.inspect(t, id)
		if got.State.Status != "exited" || got.State.Running {
			t.Errorf("inspect: %+v, want exited", got.State)
		}
		w.must(t, "start", id)
		w.must(t, "rm", "-f", id)
		if left := append(w.leftovers(t), cgroupsOf(id)...); len(left) > 0 {
			t.Errorf("left after rm -f: %v", left)
		}
	})
}
