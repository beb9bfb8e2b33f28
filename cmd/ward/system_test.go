package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestBootAfterReboot stops every ward process and container and
// unmounts their root filesystems, as a reboot would, then calls
// `ward system boot`: the containers whose policy says so come back
// (always; unless-stopped unless stopped on purpose; on-failure, since
// the lost exit is a failure), the others stay exited.
func TestBootAfterReboot(t *testing.T) {
	w := newWardEnv(t)
	start := func(name string, flags ...string) string {
		args := append([]string{"run", "-d", "--name", name}, flags...)
		return strings.TrimSpace(w.must(t, append(args, "busybox", "sleep", "1000")...))
	}
	ids := map[string]string{
		"always":         start("always", "--restart", "always"),
		"unless-stopped": start("unless-stopped", "--restart", "unless-stopped"),
		"stopped":        start("stopped", "--restart", "unless-stopped"),
		"on-failure":     start("on-failure", "--restart", "on-failure:3"),
		"no":             start("no"),
	}
	w.must(t, "stop", "-t", "1", "stopped")
	before := map[string]int{}
	for name, id := range ids {
		before[name] = w.inspect(t, id).State.Pid
	}

	// The reboot: monitors first (else they would restart what dies),
	// then the containers' processes, then their mounts.
	for name, id := range ids {
		for _, pid := range monitorsOf(t, id) {
			unix.Kill(pid, unix.SIGKILL)
			waitGone(t, pid)
		}
		if pid := before[name]; pid > 0 {
			unix.Kill(pid, unix.SIGKILL)
			waitGone(t, pid)
		}
		rootfs := filepath.Join(w.root, "snapshots", id, "rootfs")
		if err := unix.Unmount(rootfs, unix.MNT_DETACH); err != nil && err != unix.EINVAL {
			t.Fatalf("unmount %s: %v", rootfs, err)
		}
	}
	// What ward shows is what is true: the process is gone, so the
	// record says exited, with 255 for an exit nobody saw.
	if got := w.inspect(t, ids["always"]).State; got.Status != "exited" || got.ExitCode != 255 {
		t.Fatalf("after the reboot the record says %q (exit %d): the test did not simulate one", got.Status, got.ExitCode)
	}

	out := w.must(t, "system", "boot")
	started := strings.Fields(out)
	for name, id := range ids {
		want := name == "always" || name == "unless-stopped" || name == "on-failure"
		got := w.inspect(t, id)
		if got.State.Running != want {
			t.Errorf("%s: running %v after boot, want %v (%+v)", name, got.State.Running, want, got.State)
		}
		if slices.Contains(started, name) != want {
			t.Errorf("%s: boot printed %q", name, started)
		}
		if want {
			if got.State.Pid == before[name] {
				t.Errorf("%s: the same pid %d as before the reboot", name, got.State.Pid)
			}
			if o := w.must(t, "exec", id, "echo", "alive"); o != "alive\n" {
				t.Errorf("%s: exec after boot: %q", name, o)
			}
		} else if name == "no" && got.State.ExitCode != 255 {
			t.Errorf("no: exit code %d, want 255 for an exit lost with the machine", got.State.ExitCode)
		}
	}
	// A second boot finds them watched: nothing is started twice.
	if out := w.must(t, "system", "boot"); strings.TrimSpace(out) != "" {
		t.Errorf("second boot started %q", out)
	}
}

// monitorsOf lists the ward-monitor processes watching container id.
func monitorsOf(t *testing.T, id string) []int {
	return processesOf(t, "ward-monitor", id, true)
}

// processesOf lists the processes of binary whose command line names
// container id; without zombies, those exited but not yet reaped are
// left out.
func processesOf(t *testing.T, binary, id string, zombies bool) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		args := bytes.Split(cmdline, []byte{0})
		if len(args) == 0 || filepath.Base(string(args[0])) != binary || !bytes.Contains(cmdline, []byte(id)) {
			continue
		}
		if !zombies {
			if stat, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil {
				if _, rest, _ := bytes.Cut(stat, []byte(") ")); len(rest) > 0 && rest[0] == 'Z' {
					continue
				}
			}
		}
		out = append(out, pid)
	}
	return out
}

// waitGone waits until pid has exited (a zombie nobody reaped yet counts
// as gone: it holds nothing of the container's).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	alive := func() bool {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return false
		}
		_, rest, _ := bytes.Cut(stat, []byte(") "))
		return len(rest) > 0 && rest[0] != 'Z'
	}
	for deadline := time.Now().Add(10 * time.Second); alive(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d still there", pid)
		}
	}
}

// TestGenerateSystemd writes a container's unit and has systemd check it.
func TestGenerateSystemd(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("skipped: systemd-analyze is not installed (apt-get install systemd)")
	}
	w := newWardEnv(t)
	w.must(t, "create", "--name", "web", "--stop-signal", "QUIT", "--stop-timeout", "7", "--restart", "always", "busybox", "sleep", "1000")
	dir := t.TempDir()
	path := strings.TrimSpace(w.must(t, "generate", "systemd", "--files", dir, "web"))
	if path != filepath.Join(dir, "container-web.service") {
		t.Fatalf("unit written to %q", path)
	}
	unit, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ExecStart=" + w.bin + " --root " + w.root + " start web\n",
		"ExecStop=" + w.bin + " --root " + w.root + " stop -t 7 web\n",
		"TimeoutStopSec=27\n", "WantedBy=multi-user.target\n",
	} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	cmd := exec.Command(analyze, "verify", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("systemd-analyze verify: %v: %s", err, stderr.String())
	}
}
