package observe

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A shell in a cgroup, after its exec, writes a file on a read-only
// tmpfs and runs a program from it (mounted noexec): both paths are
// named, in that order, with EROFS and EACCES. A refused write before
// the exec, one outside the cgroup and a write that succeeds are not.
func TestWatchRefusals(t *testing.T) {
	busybox := requireObserver(t)
	ro := t.TempDir()
	if err := unix.Mount("tmpfs", ro, "tmpfs", 0, ""); err != nil {
		t.Skipf("skipped: mount a tmpfs: %v", err)
	}
	defer unix.Unmount(ro, unix.MNT_DETACH)
	data, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ro, "prog"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", ro, "tmpfs", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOEXEC, ""); err != nil {
		t.Fatalf("remount read-only, noexec: %v", err)
	}
	rw := t.TempDir()

	cg := filepath.Join(unifiedMount(t), "ward-refusals-test-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(cg) })
	id, err := CgroupID(cg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := WatchRefusals(id)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// Outside the cgroup: ignored.
	exec.Command(busybox, "sh", "-c", "echo x > "+ro+"/outside").Run()
	inner := "echo ok > " + rw + "/fine; echo x > " + ro + "/new; " + ro + "/prog true; exit 0"
	script := "echo $$ > " + filepath.Join(cg, "cgroup.procs") + " && { echo x > " + ro + "/before; exec " + busybox + " sh -c '" + inner + "'; }"
	if out, err := exec.Command(busybox, "sh", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("sh: %v: %s", err, out)
	}
	got, err := w.Paths()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range got {
		names = append(names, r.String())
	}
	want := []string{ro + "/new (read-only file system)", ro + "/prog (permission denied)"}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("refused paths:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	if len(got) == 2 && (got[0].Syscall != 2 && got[0].Syscall != 257 || got[1].Syscall != nrExecve) {
		t.Errorf("system calls %d, %d: want open or openat, then execve", got[0].Syscall, got[1].Syscall)
	}
}
