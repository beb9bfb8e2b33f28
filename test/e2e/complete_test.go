package e2e

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/linux/console"
	"github.com/wardproject/ward/internal/runspec"
	"github.com/wardproject/ward/internal/testutil"
)

func TestHooksRunInOrderWithState(t *testing.T) {
	testutil.RequireRoot(t)
	for _, r := range []*oci{newWard(t), newRunc(t)} {
		t.Run(r.name, func(t *testing.T) {
			var log string
			dir := testutil.Bundle(t, []string{"true"}, func(s *specs.Spec) { s.Root.Readonly = false })
			log = filepath.Join(dir, "rootfs", "hooklog")
			s := readSpec(t, dir)
			host := func(name string) specs.Hook {
				// Each hook appends its name and the state it was given.
				return specs.Hook{Path: "/bin/sh", Args: []string{"sh", "-c", `read -r state; echo "` + name + ` $state" >> ` + log}}
			}
			s.Hooks = &specs.Hooks{
				Prestart:        []specs.Hook{host("prestart")},
				CreateRuntime:   []specs.Hook{host("createRuntime")},
				CreateContainer: []specs.Hook{host("createContainer")},
				// Runs inside the container, after pivot_root: its paths are the container's.
				StartContainer: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", `read -r state; echo "startContainer $state" >> /hooklog`}}},
				Poststart:      []specs.Hook{host("poststart")},
				Poststop:       []specs.Hook{host("poststop")},
			}
			testutil.WriteSpec(t, dir, s)
			id := containerID(t)
			if res := r.cmd("create", "--bundle", dir, id); res.code != 0 {
				t.Fatalf("create: exit %d: %s", res.code, res.stderr)
			}
			pid := r.state(t, id).Pid
			if res := r.cmd("start", id); res.code != 0 {
				t.Fatalf("start: exit %d: %s", res.code, res.stderr)
			}
			r.waitStatus(t, id, specs.StateStopped)
			if res := r.cmd("delete", id); res.code != 0 {
				t.Fatalf("delete: exit %d: %s", res.code, res.stderr)
			}
			data, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			want := []string{"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}
			if r.name == "runc" && len(lines) == len(want) && strings.HasPrefix(lines[3], "poststart") {
				// runc 1.1 runs poststart while the init may still be
				// running startContainer; the spec wants it after exec.
				lines[3], lines[4] = lines[4], lines[3]
			}
			if len(lines) != len(want) {
				t.Fatalf("hook log:\n%s\nwant the hooks %v in order", data, want)
			}
			for i, l := range lines {
				name, stateJSON, _ := strings.Cut(l, " ")
				if name != want[i] {
					t.Errorf("hook %d: %s, want %s", i, name, want[i])
				}
				var st specs.State
				if err := json.Unmarshal([]byte(stateJSON), &st); err != nil {
					t.Errorf("%s hook got no state JSON: %q", name, stateJSON)
					continue
				}
				inside := name == "createContainer" || name == "startContainer"
				pidOK := st.Pid == pid || name == "poststop" || (inside && r.name == "runc" && st.Pid == 1)
				if st.ID != id || st.Bundle != dir || !pidOK {
					t.Errorf("%s hook state: %+v, want id %s, bundle %s, pid %d", name, st, id, dir, pid)
				}
			}
		})
	}
}

func TestFailingHookFailsCreateCleanly(t *testing.T) {
	testutil.RequireRoot(t)
	r := newWard(t)
	dir := testutil.Bundle(t, []string{"true"}, func(s *specs.Spec) {
		s.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{{Path: "/bin/sh", Args: []string{"sh", "-c", "echo network setup failed >&2; exit 3"}}}}
	})
	id := containerID(t)
	res := r.cmd("create", "--bundle", dir, id)
	if res.code == 0 || !strings.Contains(res.stderr, "createRuntime hook") || !strings.Contains(res.stderr, "network setup failed") {
		t.Fatalf("create with a failing hook: exit %d, stderr %q", res.code, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(r.root, id)); !os.IsNotExist(err) {
		t.Errorf("state left behind: %v", err)
	}
	if left := leftovers(t, dir, id); len(left) > 0 {
		t.Errorf("a failed create left behind: %v", left)
	}
}

func TestSeccompDockerDefaultMatchesRunc(t *testing.T) {
	testutil.RequireRoot(t)
	ward, runc := newWard(t), newRunc(t)
	script := `grep -E '^Seccomp' /proc/self/status; unshare -U true 2>&1; echo unshare=$?; cat /proc/self/status > /dev/null && echo read-ok`
	for _, nnp := range []bool{true, false} {
		t.Run("noNewPrivileges="+strconv.FormatBool(nnp), func(t *testing.T) {
			dir := testutil.Bundle(t, []string{"sh", "-c", script}, func(s *specs.Spec) {
				s.Process.NoNewPrivileges = nnp
				s.Process.Capabilities = allCaps(dockerDefaultCaps)
				profile, err := runspec.DockerSeccomp(dockerDefaultCaps)
				if err != nil {
					t.Fatal(err)
				}
				s.Linux.Seccomp = profile
			})
			got, ref := ward.run(t, dir), runc.run(t, dir)
			if got.code != 0 || ref.code != 0 {
				t.Fatalf("ward: exit %d %s; runc: exit %d %s", got.code, got.stderr, ref.code, ref.stderr)
			}
			if got.stdout != ref.stdout {
				t.Errorf("differs from runc:\n--- ward-runtime\n%s--- runc\n%s", got.stdout, ref.stdout)
			}
			for _, want := range []string{"Seccomp:\t2", "Operation not permitted", "unshare=1", "read-ok"} {
				if !strings.Contains(got.stdout, want) {
					t.Errorf("want %q in:\n%s", want, got.stdout)
				}
			}
		})
	}
}

func TestCgroupLimitsPauseAndCleanup(t *testing.T) {
	testutil.RequireRoot(t)
	r := newWard(t)
	id := containerID(t)
	cgPath := "/ward-e2e/" + id
	limit, pids := int64(64<<20), int64(32)
	dir := testutil.Bundle(t, []string{"sh", "-c", "while true; do sleep 1; done"}, func(s *specs.Spec) {
		s.Linux.CgroupsPath = cgPath
		s.Linux.Resources = &specs.LinuxResources{
			Memory:  &specs.LinuxMemory{Limit: &limit},
			Pids:    &specs.LinuxPids{Limit: &pids},
			Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
		}
	})
	if res := r.cmd("run", "--detach", "--bundle", dir, id); res.code != 0 {
		t.Fatalf("run: exit %d: %s", res.code, res.stderr)
	}
	defer r.cmd("delete", "--force", id)
	read := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(data))
	}
	if got := read("/sys/fs/cgroup/memory" + cgPath + "/memory.limit_in_bytes"); got != strconv.FormatInt(limit, 10) {
		t.Errorf("memory.limit_in_bytes = %s, want %d", got, limit)
	}
	if got := read("/sys/fs/cgroup/pids" + cgPath + "/pids.max"); got != "32" {
		t.Errorf("pids.max = %s, want 32", got)
	}
	// The limit holds inside: forks past 32 tasks fail.
	res := r.cmd("exec", id, "sh", "-c", "for i in $(seq 1 40); do sleep 1 & done 2>&1; wait; echo done")
	if !strings.Contains(res.stdout+res.stderr, "can't fork") {
		t.Errorf("pids.max=32 did not stop forks: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// busybox sh gives up at the first failed fork: let its sleeps finish.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if n, _ := strconv.Atoi(read("/sys/fs/cgroup/pids" + cgPath + "/pids.current")); n <= 4 {
			break
		}
	}
	// The container's own /dev/null works, although devices are denied by default.
	if res := r.cmd("exec", id, "sh", "-c", "echo x > /dev/null && echo devnull-ok"); !strings.Contains(res.stdout, "devnull-ok") {
		t.Errorf("/dev/null in the container: %s%s", res.stdout, res.stderr)
	}
	if res := r.cmd("pause", id); res.code != 0 {
		t.Fatalf("pause: exit %d: %s", res.code, res.stderr)
	}
	if st := r.state(t, id); st.Status != specs.ContainerState("paused") {
		t.Errorf("after pause: status %s", st.Status)
	}
	if got := read("/sys/fs/cgroup/freezer" + cgPath + "/freezer.state"); got != "FROZEN" {
		t.Errorf("freezer.state = %s", got)
	}
	if res := r.cmd("resume", id); res.code != 0 {
		t.Fatalf("resume: exit %d: %s", res.code, res.stderr)
	}
	r.waitStatus(t, id, specs.StateRunning)
	if res := r.cmd("update", "--pids-limit", "40", id); res.code != 0 {
		t.Fatalf("update: exit %d: %s", res.code, res.stderr)
	}
	if got := read("/sys/fs/cgroup/pids" + cgPath + "/pids.max"); got != "40" {
		t.Errorf("after update pids.max = %s, want 40", got)
	}
	if res := r.cmd("delete", "--force", id); res.code != 0 {
		t.Fatalf("delete: exit %d: %s", res.code, res.stderr)
	}
	for _, h := range []string{"memory", "pids", "freezer", "devices", "unified"} {
		if _, err := os.Stat("/sys/fs/cgroup/" + h + cgPath); !os.IsNotExist(err) {
			t.Errorf("cgroup %s%s left after delete: %v", h, cgPath, err)
		}
	}
	for _, h := range []string{"memory", "pids", "freezer", "devices", "unified", "cpu", "blkio", "cpuset", "systemd"} {
		os.Remove("/sys/fs/cgroup/" + h + "/ward-e2e")
	}
}

func TestExecJoinsTheContainer(t *testing.T) {
	testutil.RequireRoot(t)
	for _, r := range []*oci{newWard(t), newRunc(t)} {
		t.Run(r.name, func(t *testing.T) {
			dir := testutil.Bundle(t, []string{"sleep", "60"}, func(s *specs.Spec) { s.Hostname = "exec-target" })
			id := containerID(t)
			if res := r.cmd("run", "--detach", "--bundle", dir, id); res.code != 0 {
				t.Fatalf("run: exit %d: %s", res.code, res.stderr)
			}
			defer r.cmd("delete", "--force", id)
			res := r.cmd("exec", id, "sh", "-c", `echo "$(hostname) $(cat /proc/1/cmdline | tr '\0' ' ')"; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; ls /sys/class/net`)
			if res.code != 0 {
				t.Fatalf("exec: exit %d: %s", res.code, res.stderr)
			}
			want := "exec-target sleep 60 \nCapEff:\t0000000020000420\nNoNewPrivs:\t1\nlo\n"
			if res.stdout != want {
				t.Errorf("exec output:\n%q\nwant\n%q", res.stdout, want)
			}
			if res := r.cmd("exec", "--user", "1000:1000", id, "id", "-u"); strings.TrimSpace(res.stdout) != "1000" {
				t.Errorf("exec --user 1000:1000: %q %s", res.stdout, res.stderr)
			}
			if res := r.cmd("exec", id, "sh", "-c", "exit 7"); res.code != 7 {
				t.Errorf("exec exit status: %d, want 7", res.code)
			}
			procFile := filepath.Join(t.TempDir(), "process.json")
			data, _ := json.Marshal(specs.Process{Args: []string{"sh", "-c", "echo $GREETING; pwd"}, Env: []string{"PATH=/bin", "GREETING=hello"}, Cwd: "/tmp"})
			if err := os.WriteFile(procFile, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if res := r.cmd("exec", "--process", procFile, id); res.stdout != "hello\n/tmp\n" {
				t.Errorf("exec --process: %q %s", res.stdout, res.stderr)
			}
		})
	}
}

// consoleServer listens where a runtime sends a pty master and returns the
// socket path and a channel delivering the master.
func consoleServer(t *testing.T) (string, <-chan *os.File) {
	path := filepath.Join(t.TempDir(), "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan *os.File, 1)
	go func() {
		defer l.Close()
		conn, err := l.AcceptUnix()
		if err != nil {
			close(ch)
			return
		}
		defer conn.Close()
		f, _ := conn.File()
		defer f.Close()
		m, err := console.ReceiveMaster(int(f.Fd()))
		if err != nil {
			close(ch)
			return
		}
		ch <- m
	}()
	return path, ch
}

func TestTerminalThroughConsoleSocket(t *testing.T) {
	testutil.RequireRoot(t)
	for _, r := range []*oci{newWard(t), newRunc(t)} {
		t.Run(r.name, func(t *testing.T) {
			dir := testutil.Bundle(t, []string{"sh", "-c", "tty; echo terminal-ok; sleep 1"}, func(s *specs.Spec) { s.Process.Terminal = true })
			sock, masters := consoleServer(t)
			id := containerID(t)
			if res := r.cmd("create", "--bundle", dir, "--console-socket", sock, id); res.code != 0 {
				t.Fatalf("create: exit %d: %s", res.code, res.stderr)
			}
			defer r.cmd("delete", "--force", id)
			var master *os.File
			select {
			case master = <-masters:
			case <-time.After(10 * time.Second):
				t.Fatal("no pty master arrived on the console socket")
			}
			if master == nil {
				t.Fatal("console socket: no pty master")
			}
			defer master.Close()
			if res := r.cmd("start", id); res.code != 0 {
				t.Fatalf("start: exit %d: %s", res.code, res.stderr)
			}
			out := make(chan string, 1)
			go func() {
				var all []byte
				buf := make([]byte, 1024)
				for !strings.Contains(string(all), "terminal-ok") {
					n, err := master.Read(buf)
					if err != nil {
						break
					}
					all = append(all, buf[:n]...)
				}
				out <- string(all)
			}()
			select {
			case got := <-out:
				if !strings.Contains(got, "/dev/pts/0") || !strings.Contains(got, "terminal-ok") {
					t.Errorf("terminal output %q", got)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no output on the terminal")
			}
		})
	}
}
