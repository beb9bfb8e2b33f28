// Package testdaemon runs the daemons that tests compare ward with
// (dockerd, containerd) in a work directory of their own, and removes
// everything they leave: processes by PID, mounts, cgroups. Tests only;
// it never touches a system service.
package testdaemon

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// WorkDir makes a short temporary directory (unix socket paths under it
// must stay below 108 bytes) and, when the test ends, kills every process
// still naming it, unmounts everything below it and removes it.
func WorkDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, pid := range pidsNaming(dir) {
			t.Logf("cleanup: killing leftover process %d (%s)", pid, Cmdline(pid))
			syscall.Kill(pid, syscall.SIGKILL)
		}
		unmountUnder(t, dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return dir
}

// pidsNaming returns the processes whose command line mentions dir (the
// daemons, shims and runtime calls started under it) and their
// descendants, parents first.
func pidsNaming(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	var roots []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		if ppid := parentPID(pid); ppid > 0 {
			children[ppid] = append(children[ppid], pid)
		}
		if strings.Contains(Cmdline(pid), dir) {
			roots = append(roots, pid)
		}
	}
	seen := map[int]bool{}
	var pids []int
	var walk func(int)
	walk = func(pid int) {
		if seen[pid] {
			return
		}
		seen[pid] = true
		pids = append(pids, pid)
		for _, c := range children[pid] {
			walk(c)
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return pids
}

// parentPID reads a process's parent from /proc/PID/stat (the field after
// the parenthesized command name, which may itself hold spaces).
func parentPID(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

func Cmdline(pid int) string {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.TrimSpace(string(bytes.ReplaceAll(data, []byte{0}, []byte{' '})))
}

// unmountUnder detaches every mount at or below dir, deepest first.
func unmountUnder(t testing.TB, dir string) {
	t.Helper()
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		t.Errorf("cleanup: read mounts: %v", err)
		return
	}
	sort.Slice(mounts, func(i, j int) bool { return len(mounts[i].Mountpoint) > len(mounts[j].Mountpoint) })
	for _, m := range mounts {
		if err := unix.Unmount(m.Mountpoint, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			t.Errorf("cleanup: unmount %s: %v", m.Mountpoint, err)
		}
	}
}

// Daemon is one manager daemon started by a test.
type Daemon struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// Start starts argv with its output in logPath, waits until socket
// accepts connections, and stops it by PID when the test ends: SIGTERM,
// then SIGKILL after 20 s.
func Start(t testing.TB, name, logPath, socket string, argv ...string) *Daemon {
	t.Helper()
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so a ^C aimed at go test reaches the daemon
	// only through this cleanup.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	d := &Daemon{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		logFile.Close()
		close(d.done)
	}()
	t.Cleanup(func() { d.Stop(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.Dial("unix", socket); err == nil {
			c.Close()
			return d
		}
		select {
		case <-d.done:
			t.Fatalf("%s exited before serving %s:\n%s", name, socket, Tail(logPath, 20))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not serve %s within 30s:\n%s", name, socket, Tail(logPath, 20))
		}
	}
}

func (d *Daemon) Stop(t testing.TB) {
	pid := d.cmd.Process.Pid
	syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(20 * time.Second):
		t.Logf("cleanup: %s (pid %d) ignored SIGTERM for 20s, killing it", d.name, pid)
		syscall.Kill(pid, syscall.SIGKILL)
		<-d.done
	}
}

// Tail returns the last n lines of a file.
func Tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// cgroupHierarchies are the mounted cgroup hierarchies: the v1
// controllers and the unified v2 tree on a hybrid host, or just the v2
// root on a unified one.
func cgroupHierarchies() []string {
	mounts, err := mountinfo.GetMounts(func(m *mountinfo.Info) (bool, bool) {
		return m.FSType != "cgroup" && m.FSType != "cgroup2", false
	})
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range mounts {
		out = append(out, m.Mountpoint)
	}
	return out
}

// CgroupsUnder returns the cgroup directories below name (relative to each
// hierarchy's root, name itself excluded), deepest first.
func CgroupsUnder(name string) []string {
	var dirs []string
	for _, h := range cgroupHierarchies() {
		root := filepath.Join(h, name)
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() && p != root {
				dirs = append(dirs, p)
			}
			return nil
		})
	}
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i]) > len(dirs[j]) })
	return dirs
}

// CleanupCgroups removes, when the test ends, the cgroup tree the test's
// containers were put under: thaws it, kills what is left in it, and
// removes the directories.
func CleanupCgroups(t testing.TB, name string) {
	t.Helper()
	t.Cleanup(func() {
		for _, h := range cgroupHierarchies() {
			root := filepath.Join(h, name)
			dirs := append(CgroupsUnder(name), root)
			for _, d := range dirs {
				if _, err := os.Stat(d); err != nil {
					continue
				}
				os.WriteFile(filepath.Join(d, "freezer.state"), []byte("THAWED"), 0)
				os.WriteFile(filepath.Join(d, "cgroup.freeze"), []byte("0"), 0)
				data, _ := os.ReadFile(filepath.Join(d, "cgroup.procs"))
				for _, f := range strings.Fields(string(data)) {
					if pid, err := strconv.Atoi(f); err == nil {
						t.Logf("cleanup: killing leftover container process %d (%s)", pid, Cmdline(pid))
						syscall.Kill(pid, syscall.SIGKILL)
					}
				}
			}
			for _, d := range dirs {
				for i := 0; i < 50; i++ {
					if err := os.Remove(d); err == nil || errors.Is(err, os.ErrNotExist) {
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}
	})
}
