package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// TestDetachedMonitor: a detached container is watched by ward-monitor
// (found beside ward), not by a copy of ward, and its exit is recorded.
func TestDetachedMonitor(t *testing.T) {
	w := newWardEnv(t)
	id := strings.TrimSpace(w.must(t, "run", "-d", "busybox", "sleep", "30"))
	var monitors []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err == nil && bytes.HasSuffix(cmdline, []byte("\x00"+id+"\x00")) {
			monitors = append(monitors, string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
		}
	}
	if len(monitors) != 1 || !strings.HasPrefix(monitors[0], filepath.Join(filepath.Dir(w.bin), "ward-monitor")+" ") {
		t.Errorf("monitor processes of %s: %q, want one ward-monitor beside ward", id, monitors)
	}
	w.must(t, "kill", id)
	w.must(t, "stop", id) // returns once the exit is recorded
	if got := w.inspect(t, id); got.State.Status != "exited" || got.State.ExitCode != 137 {
		t.Errorf("after kill: %+v, want exited with 137", got.State)
	}
	w.must(t, "rm", id)
}

// TestStartRemountsRoot: `ward start` of a stopped container whose root
// is no longer mounted (as after a reboot) mounts it again, with the
// container's earlier writes.
func TestStartRemountsRoot(t *testing.T) {
	w := newWardEnv(t)
	id := strings.TrimSpace(w.must(t, "run", "-d", "busybox", "sh", "-c", "cat /marker 2>/dev/null; echo written >/marker"))
	w.must(t, "logs", "-f", id) // returns once it has exited
	rootfs := filepath.Join(w.root, "snapshots", id, "rootfs")
	if err := unix.Unmount(rootfs, 0); err != nil {
		t.Fatalf("unmount %s: %v", rootfs, err)
	}
	if mounted, _ := mountinfo.Mounted(rootfs); mounted {
		t.Fatalf("%s still mounted", rootfs)
	}
	w.must(t, "start", id)
	if out := w.must(t, "logs", "-f", id); out != "written\n" {
		t.Errorf("logs after the second start = %q, want the first run's write read back", out)
	}
	if got := w.inspect(t, id); got.State.Status != "exited" || got.State.ExitCode != 0 {
		t.Errorf("after the second start: %+v", got.State)
	}
	if mounted, _ := mountinfo.Mounted(rootfs); !mounted {
		t.Errorf("%s is not mounted after start", rootfs)
	}
	w.must(t, "rm", id)
	if left := w.leftovers(t); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestNoInheritedDescriptors: descriptors open in the program that runs
// ward reach neither a foreground nor a detached container.
func TestNoInheritedDescriptors(t *testing.T) {
	w := newWardEnv(t)
	leak, err := os.Open("/etc/hostname")
	if err != nil {
		t.Fatal(err)
	}
	defer leak.Close()
	// The container lists its descriptors other than 0, 1, 2 and the
	// one ls opens to read the directory.
	script := `for f in /proc/self/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] && [ -e "$f" ] && echo "$n -> $(readlink $f)"; done; true`
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"foreground", []string{"run", "--rm", "busybox", "sh", "-c", script}},
		{"detached", []string{"run", "-d", "busybox", "sh", "-c", script}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(w.bin, append([]string{"--root", w.root}, tc.args...)...)
			// fds 3 to 9 in ward (a runtime may reuse the low ones itself)
			cmd.ExtraFiles = []*os.File{leak, leak, leak, leak, leak, leak, leak}
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("ward %v: %v", tc.args, err)
			}
			if tc.name == "detached" {
				id := strings.TrimSpace(string(out))
				out = []byte(w.must(t, "logs", "-f", id))
				w.must(t, "rm", id)
			}
			if strings.Contains(string(out), "hostname") {
				t.Errorf("the container holds ward's inherited descriptor:\n%s", out)
			}
		})
	}
}
