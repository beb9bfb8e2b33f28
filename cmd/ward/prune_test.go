package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/record"
)

// TestSystemPrune is issue 12's fourth case: what no command reaches is
// removed by `ward system prune`, and nothing that lives is touched.
func TestSystemPrune(t *testing.T) {
	w := newWardEnv(t)
	// A running container: prune must leave it alone.
	running := strings.TrimSpace(w.must(t, "run", "-d", "busybox", "sleep", "60"))
	t.Cleanup(func() { w.run(t, nil, "rm", "-f", running) })
	// A stopped container.
	stopped := strings.TrimSpace(w.must(t, "create", "busybox", "true"))
	// A foreground --rm run killed, whose process then ended.
	cmd, killed := w.startForeground(t, "--rm", "busybox", "sleep", "1")
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	time.Sleep(1500 * time.Millisecond)
	// A container directory without its record (its snapshot mounted).
	orphan := w.inspect(t, strings.TrimSpace(w.must(t, "create", "busybox", "true"))).ID
	if err := os.Remove(filepath.Join(w.root, "containers", orphan, "container.json")); err != nil {
		t.Fatal(err)
	}
	// A runtime killed in create: a state directory without state, and a
	// cgroup holding a process nobody waits for.
	ghost := record.NewID()
	if err := os.MkdirAll(filepath.Join(w.root, "runtime", ghost), 0o700); err != nil {
		t.Fatal(err)
	}
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	// Reaped as soon as it dies, as init reaps an orphan (a zombie would
	// keep its cgroup busy).
	reaped := make(chan struct{})
	go func() { sleeper.Wait(); close(reaped) }()
	t.Cleanup(func() { sleeper.Process.Kill(); <-reaped })
	cg := "/sys/fs/cgroup/pids/ward/" + ghost
	if err := os.MkdirAll(cg, 0o755); err != nil {
		t.Skipf("skipped: no pids cgroup hierarchy to plant a leftover in: %v", err)
	}
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(sleeper.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	// A blob written and never recorded.
	stray := filepath.Join(w.root, "images", "blobs", "sha256", strings.Repeat("ab", 32))
	if err := os.WriteFile(stray, []byte("stray"), 0o644); err != nil {
		t.Fatal(err)
	}

	out := w.must(t, "system", "prune", "-f")
	for _, want := range []string{stopped, killed, orphan, ghost, cg} {
		if !strings.Contains(out, want) {
			t.Errorf("prune output does not name %s:\n%s", want, out)
		}
	}
	if got := w.inspect(t, running); !got.State.Running {
		t.Errorf("prune touched the running container: %+v", got.State)
	}
	select {
	case <-reaped:
	case <-time.After(5 * time.Second):
		t.Errorf("the process left in the dead container's cgroup still runs")
	}
	if _, err := os.Stat(cg); !os.IsNotExist(err) {
		t.Errorf("cgroup %s left: %v", cg, err)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("stray blob left: %v", err)
	}
	var left []string
	for _, l := range w.leftovers(t) {
		if !strings.Contains(l, running) {
			left = append(left, l)
		}
	}
	if len(left) > 0 {
		t.Errorf("left after prune: %v", left)
	}
	if out := w.must(t, "system", "prune", "-f"); !strings.Contains(out, "Nothing to prune") {
		t.Errorf("second prune found more:\n%s", out)
	}
}

// TestRmOfAnOrphan: `ward rm ID` removes a container directory that lost
// its record, as prune would.
func TestRmOfAnOrphan(t *testing.T) {
	w := newWardEnv(t)
	id := w.inspect(t, strings.TrimSpace(w.must(t, "create", "busybox", "true"))).ID
	if err := os.Remove(filepath.Join(w.root, "containers", id, "container.json")); err != nil {
		t.Fatal(err)
	}
	if out := w.must(t, "rm", id); strings.TrimSpace(out) != id {
		t.Errorf("rm printed %q", out)
	}
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("left after rm: %v", left)
	}
}
