package observe

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// A shell moves itself into a new cgroup and execs busybox chown: the
// observer sees the exec, exit_group and chown, and CAP_CHOWN
// granted; the same commands outside the cgroup leave nothing.
func TestObserveCgroup(t *testing.T) {
	busybox := requireObserver(t)
	cg := filepath.Join(unifiedMount(t), "ward-observe-test-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(cg) })
	id, err := CgroupID(cg)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Attach(id)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Outside the cgroup: ignored.
	if out, err := exec.Command(busybox, "chown", "2", file).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v: %s", err, out)
	}
	if armed, _ := o.Armed(); armed {
		t.Fatal("an exec outside the cgroup armed the observer")
	}
	script := "echo $$ > " + filepath.Join(cg, "cgroup.procs") + " && exec " + busybox + " chown 1 " + file
	if out, err := exec.Command(busybox, "sh", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("sh: %v: %s", err, out)
	}
	armed, err := o.Armed()
	if err != nil || !armed {
		t.Fatalf("armed %v, %v: the exec in the cgroup was not seen", armed, err)
	}
	calls, err := o.Syscalls()
	if err != nil {
		t.Fatal(err)
	}
	for _, nr := range []uint32{nrExecve, 231 /* exit_group */, 92 /* chown */} {
		if !slices.Contains(calls, nr) {
			t.Errorf("syscall %d not recorded; recorded %v", nr, calls)
		}
	}
	if len(calls) > 60 {
		t.Errorf("%d syscalls recorded for one chown: the filter leaks", len(calls))
	}
	// In order: the exec arms the observer, so it is first; exit_group
	// ends the process, so it is last.
	order, err := o.SyscallsInOrder()
	if err != nil || len(order) != len(calls) || order[0] != nrExecve || order[len(order)-1] != 231 {
		t.Errorf("order %v, %v: want execve (59) first and exit_group (231) last", order, err)
	}
	granted, _, err := o.Capabilities()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(granted, capChown) {
		t.Errorf("CAP_CHOWN not recorded; granted %v", granted)
	}
}

const capChown = 0

func unifiedMount(t *testing.T) string {
	for _, dir := range []string{"/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		if _, err := CgroupID(dir); err == nil {
			return dir
		}
	}
	t.Skip("skipped: no cgroup2 hierarchy mounted")
	return ""
}

// An execution on a watched file system is recorded, relative to the
// watched root; one elsewhere is not.
func TestWatchExecs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: fanotify superblock marks need root (CI runs as root)")
	}
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("skipped: busybox is not installed (CI installs busybox-static)")
	}
	// busybox runs the applet its file is named after.
	// A tmpfs of its own: the superblock mark sees it alone.
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, ""); err != nil {
		t.Skipf("skipped: mount a tmpfs: %v", err)
	}
	defer unix.Unmount(dir, unix.MNT_DETACH)
	data, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "true"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	w, err := WatchExecs(dir)
	if err != nil {
		t.Skipf("skipped: %v", err)
	}
	if out, err := exec.Command(filepath.Join(dir, "true")).CombinedOutput(); err != nil {
		t.Fatalf("exec: %v: %s", err, out)
	}
	if out, err := exec.Command(busybox, "true").CombinedOutput(); err != nil {
		t.Fatalf("exec: %v: %s", err, out)
	}
	got, err := w.Close()
	if err != nil || !slices.Equal(got, []string{"/true"}) {
		t.Errorf("executed %v, %v: want [/true]", got, err)
	}
}

// requireObserver skips a test where the observer cannot run (not root,
// no BPF or tracepoints: Check) or busybox, the workload, is missing,
// and returns busybox's path.
func requireObserver(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root to load BPF programs (CI runs as root)")
	}
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("skipped: busybox is not installed (CI installs busybox-static)")
	}
	if err := Check(); err != nil {
		t.Skipf("skipped: %v", err)
	}
	return busybox
}
