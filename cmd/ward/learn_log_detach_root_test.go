package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf/link"

	"github.com/wardproject/ward/internal/learnprofile"
)

// A detached container in --profile-mode log is watched for its whole
// life by ward-observe, which its monitor starts beside it: a call
// outside the profile lands in inspect's .State.ProfileDenials, a new
// one after ward stop and ward start too, and nothing is left after
// ward rm -f (no observer process, no BPF link).
func TestLearnProfileModeLogDetached(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	// Learned without ioprio_get(2) or ioprio_set(2); the test (stat of
	// a file), hostname and sleep as the runs below make them.
	profile := learnShell(t, w, "65534:65534", "[ -e /data/second ]; busybox hostname >/dev/null; busybox sleep 0.1; echo learned")
	data := t.TempDir()
	// First run: ioprio_get (ionice -p). A run that finds /data/second:
	// ioprio_set (ionice -c 3), a call the first run never made.
	script := "busybox sleep 0.3; if [ -e /data/second ]; then busybox ionice -c 3 -p $$; else busybox ionice -p $$; fi; exec busybox sleep 1000"
	id := strings.TrimSpace(w.must(t, "run", "-d", "--name", "logged", "--profile", profile, "--profile-mode", "log",
		"--user", "65534:65534", "-v", data+":/data:ro", "busybox", "sh", "-c", script))

	waitDenials(t, w, "logged", "ioprio_get")
	// inspect shows the spec's filter, as Docker shows a seccomp file.
	if opts := inspectField(t, w, "logged", "{{json .HostConfig.SecurityOpt}}"); !strings.Contains(opts, `seccomp={`) || !strings.Contains(opts, `SCMP_ACT_LOG`) || !strings.Contains(opts, `\"getpid\"`) && !strings.Contains(opts, `\"exit_group\"`) {
		t.Errorf("SecurityOpt %s: want seccomp= and the learned filter in log mode", opts)
	}
	if d := denials(t, w, "logged"); slices.Contains(d, "ioprio_set") || slices.ContainsFunc(d, func(n string) bool { return profileAllows(t, profile)[n] }) {
		t.Errorf("denials %v: want none the profile allows, nor ioprio_set yet", d)
	}
	obs := observersOf(t, id)
	if len(obs) != 1 {
		t.Fatalf("observer processes of %s: %v, want one", id, obs)
	}
	links := bpfLinksOf(t, obs[0])
	if len(links) == 0 {
		t.Errorf("observer %d holds no BPF link", obs[0])
	}

	if err := os.WriteFile(filepath.Join(data, "second"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	w.must(t, "stop", "-t", "1", "logged")
	waitGone(t, obs[0])
	requireLinksGone(t, links)
	w.must(t, "start", "logged")
	waitDenials(t, w, "logged", "ioprio_set")
	// Only the workload's: not a call of the runtime's other threads
	// (a Go runtime's epoll_pwait) before its exec ended.
	d := denials(t, w, "logged")
	if !slices.Equal(d, []string{"ioprio_get", "ioprio_set"}) {
		t.Errorf("denials after a second run %v: want ioprio_get (first run) then ioprio_set, each once", d)
	}
	if allowed := profileAllows(t, profile); slices.ContainsFunc(d, func(n string) bool { return allowed[n] }) {
		t.Errorf("denials %v name a call the profile allows", d)
	}
	t.Logf("denials over two runs: %v", d)
	obs = observersOf(t, id)
	if len(obs) != 1 {
		t.Fatalf("observer processes of %s after ward start: %v, want one", id, obs)
	}
	links = bpfLinksOf(t, obs[0])
	if gaps := inspectField(t, w, "logged", "{{json .State.ProfileDenialGaps}}"); gaps != "null" {
		t.Errorf("gaps %s of a watched container: want none", gaps)
	}

	w.must(t, "rm", "-f", "logged")
	waitGone(t, obs[0])
	requireLinksGone(t, links)
	if left := observersOf(t, id); len(left) > 0 {
		t.Errorf("observers left after rm -f: %v", left)
	}
	for _, pattern := range []string{"/sys/fs/cgroup/*/ward/" + id, "/sys/fs/cgroup/ward/" + id} {
		if left, _ := filepath.Glob(pattern); len(left) > 0 {
			t.Errorf("cgroups left after rm -f: %v", left)
		}
	}
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("log mode left %v", left)
	}
}

// The observer goes with a killed monitor (the container runs on,
// unwatched, and inspect says so); a container not in log mode gets
// none; ward system prune stops an observer whose container is gone.
func TestLearnProfileModeLogObserverLifetime(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	profile := learnShell(t, w, "65534:65534", "busybox sleep 0.1; echo learned")
	id := strings.TrimSpace(w.must(t, "run", "-d", "--profile", profile, "--profile-mode", "log",
		"--user", "65534:65534", "busybox", "sh", "-c", "exec busybox sleep 1000"))
	obs := observersOf(t, id)
	mons := monitorsOf(t, id)
	if len(obs) != 1 || len(mons) != 1 {
		t.Fatalf("observers %v, monitors %v of %s: want one each", obs, mons, id)
	}
	links := bpfLinksOf(t, obs[0])
	if err := syscallKill(mons[0]); err != nil {
		t.Fatal(err)
	}
	waitGone(t, obs[0])
	requireLinksGone(t, links)
	if gaps := inspectField(t, w, id, "{{json .State.ProfileDenialGaps}}"); !strings.Contains(gaps, "its monitor exited") {
		log, _ := os.ReadFile(filepath.Join(w.root, "containers", id, "monitor.log"))
		t.Errorf("gaps %s after the monitor was killed: want it said (monitor's log: %s)", gaps, log)
	}
	w.must(t, "rm", "-f", id)

	// Each restart of --restart gets an observer of its own; none is
	// left once the policy gives up.
	id = strings.TrimSpace(w.must(t, "run", "-d", "--restart", "on-failure:2", "--profile", profile, "--profile-mode", "log",
		"--user", "65534:65534", "busybox", "sh", "-c", "busybox sleep 0.2; exit 3"))
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		st := inspectField(t, w, id, "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}")
		if st == "exited 2 3" && len(monitorsOf(t, id)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("--restart on-failure:2 in log mode: %s, monitors %v; want exited after 2 restarts", st, monitorsOf(t, id))
		}
	}
	if obs := observersOf(t, id); len(obs) != 0 {
		t.Errorf("observers %v left after the restarts", obs)
	}
	if gaps := inspectField(t, w, id, "{{json .State.ProfileDenialGaps}}"); gaps != "null" {
		t.Errorf("gaps %s of three watched runs: want none", gaps)
	}
	w.must(t, "rm", id)

	// Enforce mode: the monitor starts no observer.
	id = strings.TrimSpace(w.must(t, "run", "-d", "--profile", profile, "--user", "65534:65534", "busybox", "sh", "-c", "exec busybox sleep 1000"))
	if obs := observersOf(t, id); len(obs) != 0 {
		t.Errorf("observers %v of a container in enforce mode: want none", obs)
	}
	if opts := inspectField(t, w, id, "{{json .HostConfig.SecurityOpt}}"); !strings.Contains(opts, `seccomp={`) || !strings.Contains(opts, `SCMP_ACT_ERRNO`) {
		t.Errorf("SecurityOpt %s: want seccomp= and the learned filter", opts)
	}
	w.must(t, "rm", "-f", id)

	// A stray: an observer of a created container that is then removed
	// under it (as a killed ward would leave one).
	id = strings.TrimSpace(w.must(t, "create", "--profile", profile, "--profile-mode", "log", "--user", "65534:65534", "busybox", "sh", "-c", "exec busybox sleep 1000"))
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stray := exec.Command(filepath.Join(filepath.Dir(w.bin), "ward-observe"), "--root", w.root, id)
	stray.ExtraFiles = []*os.File{wr}
	if err := stray.Start(); err != nil {
		t.Fatal(err)
	}
	wr.Close()
	line := make([]byte, 64)
	n, _ := r.Read(line)
	r.Close()
	if string(line[:n]) != "started\n" {
		stray.Process.Kill()
		stray.Wait()
		t.Fatalf("a hand-started observer said %q", line[:n])
	}
	links = bpfLinksOf(t, stray.Process.Pid)
	out := w.must(t, "system", "prune", "-f")
	if !strings.Contains(out, strconv.Itoa(stray.Process.Pid)) {
		t.Errorf("prune did not name the stray observer %d:\n%s", stray.Process.Pid, out)
	}
	done := make(chan struct{})
	go func() { stray.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		stray.Process.Kill()
		t.Errorf("prune left the stray observer running")
		<-done
	}
	requireLinksGone(t, links)
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("left %v", left)
	}
}

// profileAllows are the system calls a learned profile allows.
func profileAllows(t *testing.T, file string) map[string]bool {
	t.Helper()
	p, err := learnprofile.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Syscalls []struct {
			Names  []string
			Action string
		}
	}
	if err := json.Unmarshal(p.Seccomp, &s); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range s.Syscalls {
		for _, n := range r.Names {
			out[n] = r.Action == "SCMP_ACT_ALLOW"
		}
	}
	if len(out) == 0 {
		t.Fatalf("profile %s allows nothing", file)
	}
	return out
}

func syscallKill(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}

func inspectField(t *testing.T, w *wardEnv, name, format string) string {
	t.Helper()
	return strings.TrimSpace(w.must(t, "inspect", "-f", format, name))
}

// denials is inspect's .State.ProfileDenials of container name.
func denials(t *testing.T, w *wardEnv, name string) []string {
	t.Helper()
	var out []string
	for _, f := range strings.FieldsFunc(inspectField(t, w, name, "{{json .State.ProfileDenials}}"), func(r rune) bool { return strings.ContainsRune(`[]",`, r) }) {
		if f != "null" {
			out = append(out, f)
		}
	}
	return out
}

// waitDenials waits until container name's denials list call.
func waitDenials(t *testing.T, w *wardEnv, name, call string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		d := denials(t, w, name)
		if slices.Contains(d, call) {
			return
		}
		if time.Now().After(deadline) {
			logs, _, _ := w.run(t, nil, "logs", name)
			t.Fatalf("denials of %s: %v, want %s (logs: %s)", name, d, call, logs)
		}
	}
}

// observersOf lists the ward-observe processes watching container id
// (one exited but not yet reaped is not counted).
func observersOf(t *testing.T, id string) []int {
	return processesOf(t, "ward-observe", id, false)
}

// bpfLinksOf lists the IDs of the BPF links process pid holds.
func bpfLinksOf(t *testing.T, pid int) []link.ID {
	t.Helper()
	dir := "/proc/" + strconv.Itoa(pid)
	entries, err := os.ReadDir(dir + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	var ids []link.ID
	for _, e := range entries {
		if l, _ := os.Readlink(dir + "/fd/" + e.Name()); l != "anon_inode:bpf_link" {
			continue
		}
		info, err := os.ReadFile(dir + "/fdinfo/" + e.Name())
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(line, "link_id:"); ok {
				if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32); err == nil {
					ids = append(ids, link.ID(n))
				}
			}
		}
	}
	return ids
}

// requireLinksGone fails unless every link of ids is gone from the
// kernel (link IDs are allocated cyclically: not reused soon).
func requireLinksGone(t *testing.T, ids []link.ID) {
	t.Helper()
	for _, id := range ids {
		l, err := link.NewFromID(id)
		if err == nil {
			l.Close()
			t.Errorf("BPF link %d is still there", id)
		} else if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("BPF link %d: %v", id, err)
		}
	}
}
