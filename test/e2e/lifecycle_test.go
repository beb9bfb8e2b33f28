package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/testutil"
)

func (r *oci) state(t *testing.T, id string) specs.State {
	t.Helper()
	res := r.cmd("state", id)
	if res.code != 0 {
		t.Fatalf("%s state %s: exit %d: %s", r.name, id, res.code, res.stderr)
	}
	var st specs.State
	if err := json.Unmarshal([]byte(res.stdout), &st); err != nil {
		t.Fatalf("state output is not JSON: %v\n%s", err, res.stdout)
	}
	return st
}

// waitStatus polls until the container reaches want.
func (r *oci) waitStatus(t *testing.T, id string, want specs.ContainerState) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := r.state(t, id)
		if st.Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s: status %s, want %s", id, st.Status, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitFileContains(t *testing.T, path, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(path)
		if strings.Contains(string(data), want) {
			return string(data)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never contained %q; it holds:\n%s", path, want, data)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCreateStartStateKillDelete(t *testing.T) {
	testutil.RequireRoot(t)
	for _, r := range []*oci{newWard(t), newRunc(t)} {
		t.Run(r.name, func(t *testing.T) {
			dir := testutil.Bundle(t, []string{"sh", "-c", "echo started-as-pid-$$; exec sleep 60"}, nil)
			id := containerID(t)
			out, err := os.Create(filepath.Join(t.TempDir(), "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			pidFile := filepath.Join(t.TempDir(), "pid")
			create := r.command("create", "--bundle", dir, "--pid-file", pidFile, id)
			create.Stdout, create.Stderr = out, out
			if err := create.Run(); err != nil {
				data, _ := os.ReadFile(out.Name())
				t.Fatalf("create: %v: %s", err, data)
			}
			defer r.cmd("delete", "--force", id)

			data, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatalf("create returned without a pid file: %v", err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil || pid <= 1 {
				t.Fatalf("pid file holds %q", data)
			}
			st := r.state(t, id)
			if st.Status != specs.StateCreated || st.Pid != pid || st.ID != id || st.Bundle != dir {
				t.Fatalf("after create: state %+v, want created with pid %d and bundle %s", st, pid, dir)
			}
			// The init waits inside its own pid namespace, as PID 1 there.
			status, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
			if !strings.Contains(string(status), "NSpid:\t"+strconv.Itoa(pid)+"\t1\n") {
				t.Errorf("init is not PID 1 of a new pid namespace:\n%s", status)
			}
			if got, _ := os.ReadFile(out.Name()); len(got) != 0 {
				t.Errorf("the process ran before start: %q", got)
			}
			list := r.cmd("list", "--format", "json")
			if list.code != 0 || !strings.Contains(list.stdout, `"`+id+`"`) || !strings.Contains(list.stdout, `"created"`) {
				t.Errorf("list --format json: exit %d: %s", list.code, list.stdout)
			}

			if res := r.cmd("start", id); res.code != 0 {
				t.Fatalf("start: exit %d: %s", res.code, res.stderr)
			}
			waitFileContains(t, out.Name(), "started-as-pid-1")
			r.waitStatus(t, id, specs.StateRunning)
			if res := r.cmd("start", id); res.code == 0 || !strings.Contains(res.stderr, "cannot start an already running container") {
				t.Errorf("second start: exit %d, stderr %q", res.code, res.stderr)
			}
			if res := r.cmd("delete", id); res.code == 0 || !strings.Contains(res.stderr, "is not stopped") {
				t.Errorf("delete of a running container without --force: exit %d, stderr %q", res.code, res.stderr)
			}
			if res := r.cmd("kill", id, "KILL"); res.code != 0 {
				t.Fatalf("kill KILL: exit %d: %s", res.code, res.stderr)
			}
			r.waitStatus(t, id, specs.StateStopped)
			if res := r.cmd("kill", id, "TERM"); res.code == 0 || !strings.Contains(res.stderr, "container not running") {
				t.Errorf("kill of a stopped container: exit %d, stderr %q", res.code, res.stderr)
			}
			if res := r.cmd("start", id); res.code == 0 || !strings.Contains(res.stderr, "cannot start a container that has stopped") {
				t.Errorf("start of a stopped container: exit %d, stderr %q", res.code, res.stderr)
			}
			if res := r.cmd("delete", id); res.code != 0 {
				t.Fatalf("delete: exit %d: %s", res.code, res.stderr)
			}
			if res := r.cmd("state", id); res.code == 0 || !strings.Contains(res.stderr, "does not exist") {
				t.Errorf("state after delete: exit %d, stderr %q", res.code, res.stderr)
			}
			if _, err := os.Stat(filepath.Join(r.root, id)); !os.IsNotExist(err) {
				t.Errorf("delete left the state directory behind: %v", err)
			}
		})
	}
}

func TestKillSignalsByNameAndNumber(t *testing.T) {
	testutil.RequireRoot(t)
	r := newWard(t)
	script := `trap 'echo usr1 >> /tmp/got' USR1; sleep 60 & sleep 60 & while true; do sleep 0.05; done`
	dir := testutil.Bundle(t, []string{"sh", "-c", script}, func(s *specs.Spec) { s.Root.Readonly = false })
	id := containerID(t)
	if res := r.cmd("run", "--detach", "--bundle", dir, id); res.code != 0 {
		t.Fatalf("run --detach: exit %d: %s", res.code, res.stderr)
	}
	defer r.cmd("delete", "--force", id)
	got := filepath.Join(dir, "rootfs", "tmp", "got")
	time.Sleep(100 * time.Millisecond) // let the shell install its trap
	for i, sig := range []string{"SIGUSR1", "USR1", "usr1", "10"} {
		if res := r.cmd("kill", id, sig); res.code != 0 {
			t.Fatalf("kill %s: exit %d: %s", sig, res.code, res.stderr)
		}
		waitFileContains(t, got, strings.Repeat("usr1\n", i+1))
	}
	if res := r.cmd("kill", id, "SIGNOPE"); res.code == 0 || !strings.Contains(res.stderr, "unknown signal") {
		t.Errorf("kill with a bad signal: exit %d, stderr %q", res.code, res.stderr)
	}
	init := r.state(t, id).Pid
	pidns, _ := os.Readlink("/proc/" + strconv.Itoa(init) + "/ns/pid")
	if n := len(processesInPidNS(pidns)); n < 3 {
		t.Fatalf("expected the shell and two sleeps in the container, found %d processes", n)
	}
	if res := r.cmd("kill", "--all", id, "9"); res.code != 0 {
		t.Fatalf("kill --all: exit %d: %s", res.code, res.stderr)
	}
	r.waitStatus(t, id, specs.StateStopped)
	deadline := time.Now().Add(5 * time.Second)
	for len(processesInPidNS(pidns)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("processes left after kill --all: %v", processesInPidNS(pidns))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// processesInPidNS lists live (non-zombie) host PIDs whose pid namespace is ns.
func processesInPidNS(ns string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if l, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err != nil || l != ns {
			continue
		}
		if stat, err := os.ReadFile("/proc/" + e.Name() + "/stat"); err == nil && strings.Contains(string(stat), ") Z ") {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

func TestJoinNamespacesByPath(t *testing.T) {
	testutil.RequireRoot(t)
	for _, r := range []*oci{newWard(t), newRunc(t)} {
		t.Run(r.name, func(t *testing.T) {
			sandbox := testutil.Bundle(t, []string{"sleep", "60"}, func(s *specs.Spec) { s.Hostname = "pod-sandbox" })
			sid := containerID(t)
			if res := r.cmd("run", "--detach", "--bundle", sandbox, sid); res.code != 0 {
				t.Fatalf("sandbox: exit %d: %s", res.code, res.stderr)
			}
			defer r.cmd("delete", "--force", sid)
			spid := strconv.Itoa(r.state(t, sid).Pid)
			app := testutil.Bundle(t, []string{"sh", "-c", "echo pid=$$; hostname; for n in net ipc uts; do readlink /proc/self/ns/$n; done"}, func(s *specs.Spec) {
				s.Hostname = ""
				for i, ns := range s.Linux.Namespaces {
					switch ns.Type {
					case specs.NetworkNamespace, specs.IPCNamespace, specs.UTSNamespace:
						s.Linux.Namespaces[i].Path = "/proc/" + spid + "/ns/" + map[specs.LinuxNamespaceType]string{
							specs.NetworkNamespace: "net", specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts"}[ns.Type]
					}
				}
			})
			res := r.run(t, app)
			if res.code != 0 {
				t.Fatalf("app container: exit %d: %s%s", res.code, res.stdout, res.stderr)
			}
			var want []string
			for _, ns := range []string{"net", "ipc", "uts"} {
				l, err := os.Readlink("/proc/" + spid + "/ns/" + ns)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, l)
			}
			if got, exp := res.stdout, "pid=1\npod-sandbox\n"+strings.Join(want, "\n")+"\n"; got != exp {
				t.Errorf("app container output:\n%s\nwant:\n%s", got, exp)
			}
		})
	}
}

func TestRunExitStatusAndPreservedFDs(t *testing.T) {
	testutil.RequireRoot(t)
	for _, r := range []*oci{newWard(t), newRunc(t)} {
		t.Run(r.name, func(t *testing.T) {
			for _, tc := range []struct {
				script string
				code   int
			}{{"exit 3", 3}, {"true", 0}} {
				dir := testutil.Bundle(t, []string{"sh", "-c", tc.script}, nil)
				if res := r.run(t, dir); res.code != tc.code {
					t.Errorf("run %q: exit %d, want %d (%s)", tc.script, res.code, tc.code, res.stderr)
				}
			}
			// An init killed by signal N exits run with 128+N.
			dir := testutil.Bundle(t, []string{"sleep", "30"}, nil)
			id := containerID(t)
			run := r.command("run", "--bundle", dir, id)
			if err := run.Start(); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 200 && r.cmd("state", id).code != 0; i++ {
				time.Sleep(10 * time.Millisecond)
			}
			r.waitStatus(t, id, specs.StateRunning)
			if res := r.cmd("kill", id, "KILL"); res.code != 0 {
				t.Fatalf("kill: %s", res.stderr)
			}
			if err := run.Wait(); run.ProcessState.ExitCode() != 137 {
				t.Errorf("run of a killed container: exit %d (%v), want 137", run.ProcessState.ExitCode(), err)
			}
			// --preserve-fds 1 hands our fd 3 to the container as its fd 3.
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pw.WriteString("through-fd-3\n"); err != nil {
				t.Fatal(err)
			}
			pw.Close()
			dir = testutil.Bundle(t, []string{"sh", "-c", "cat <&3"}, nil)
			c := r.command("run", "--preserve-fds", "1", "--bundle", dir, containerID(t))
			c.ExtraFiles = []*os.File{pr}
			out, err := c.Output()
			pr.Close()
			if err != nil || string(out) != "through-fd-3\n" {
				t.Errorf("--preserve-fds 1: %q, %v", out, err)
			}

			// Descriptors the caller left open beyond those preserved never
			// reach the container: with two inherited and one preserved,
			// the container has 0-2, fd 3 and the one ls opens.
			pr2, pw2, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pr2.Close()
			defer pw2.Close()
			dir = testutil.Bundle(t, []string{"ls", "/proc/self/fd"}, nil)
			c = r.command("run", "--preserve-fds", "1", "--bundle", dir, containerID(t))
			c.ExtraFiles = []*os.File{pr2, pw2}
			out, err = c.Output()
			if got := strings.Fields(string(out)); err != nil || !slices.Equal(got, []string{"0", "1", "2", "3", "4"}) {
				t.Errorf("descriptors inside with 2 inherited, 1 preserved: %v (%v), want 0 1 2 3 4", got, err)
			}
		})
	}
}

func TestKillAllOnStoppedContainerSucceedsAsRunc(t *testing.T) {
	testutil.RequireRoot(t)
	for _, r := range []*oci{newWard(t), newRunc(t)} {
		t.Run(r.name, func(t *testing.T) {
			dir := testutil.Bundle(t, []string{"true"}, nil)
			id := containerID(t)
			if res := r.cmd("run", "--detach", "--bundle", dir, id); res.code != 0 {
				t.Fatalf("run: %s", res.stderr)
			}
			defer r.cmd("delete", "--force", id)
			r.waitStatus(t, id, specs.StateStopped)
			if res := r.cmd("kill", "--all", id, "9"); res.code != 0 {
				t.Errorf("kill --all of a stopped container: exit %d: %s", res.code, res.stderr)
			}
			if res := r.cmd("kill", id, "9"); res.code == 0 || !strings.Contains(res.stderr, "container not running") {
				t.Errorf("kill without --all of a stopped container: exit %d: %s", res.code, res.stderr)
			}
		})
	}
}
