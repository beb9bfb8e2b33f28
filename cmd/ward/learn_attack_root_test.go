package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/testutil"
)

// Issue 14's attack steps: what an attacker who took over a workload
// tries next, none of which the workload's exercise did. Each runs inside
// a container of the workload's image and user, once under the learned
// profile and once under Docker's defaults (the same command line
// without --profile), so the test reports both counts.
//
// Every step is one system call of the static helper testdata/attack.c
// (the call `unshare -U`, `mount`, `chmod u+s` and the others make), so
// that what is judged is that call under the real profile, not a shell's
// or a busybox applet's start-up; the helper's own start under the
// profile is checked first (its "none" step). A step that failed for
// another reason than a refusal (exit 3: nothing listening, a missing
// file) proved nothing: the test fails rather than count it as blocked.

// attackDir is where attackKit puts the helper and its target file in a
// workload's image.
const attackDir = "/attack"

// attackHelper builds testdata/attack.c with gcc -static into the
// test's temporary directory.
func attackHelper(t *testing.T) string {
	t.Helper()
	gcc := testutil.RequireTool(t, "gcc")
	helper := filepath.Join(t.TempDir(), "attack")
	if out, err := exec.Command(gcc, "-static", "-O2", "-o", helper, filepath.Join("testdata", "attack.c")).CombinedOutput(); err != nil {
		t.Skipf("skipped: gcc -static cannot build the attack helper (apt-get install libc6-dev; CI installs it): %v: %s", err, out)
	}
	return helper
}

// attackKit adds to the root filesystem rootfs what the attack steps
// need: the helper at /attack/attack, a file /attack/owned owned by the
// workload's uid and gid (for chmod u+s, which its owner may do), and a
// world-writable /tmp, as images have.
func attackKit(t *testing.T, rootfs string, uid, gid int) {
	t.Helper()
	helper := attackHelper(t)
	data, err := os.ReadFile(helper)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(rootfs, attackDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "attack"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	owned := filepath.Join(dir, "owned")
	if err := os.WriteFile(owned, []byte("a file the workload's user owns\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(owned, uid, gid); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(rootfs, "tmp")
	if err := os.MkdirAll(tmp, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o1777); err != nil {
		t.Fatal(err)
	}
}

// attackResult is how many of the 10 steps were blocked under the
// learned profile and under Docker's defaults.
type attackResult struct {
	profile, docker int
}

func (r attackResult) String() string {
	return fmt.Sprintf("attack steps blocked: %d/10 under the learned profile, %d/10 under Docker's defaults", r.profile, r.docker)
}

// attackSteps runs the 10 steps in containers of image as user ("" for
// the image's own), under profile and under Docker's defaults, and
// returns the counts; it fails the test when fewer than 9 are blocked
// under the profile.
//
// The connection step needs an address the workload never used, inside a
// network namespace the test made: a listener container of the same image
// with a network namespace of its own (--network none), listening on
// 127.0.0.2 there; the attacker joins that namespace (--network
// container:), so the connection reaches nothing outside it.
func attackSteps(t *testing.T, w *wardEnv, image, user, profile string) attackResult {
	t.Helper()
	helper := attackDir + "/attack"
	port := "7070"
	listener := strings.TrimSpace(w.must(t, "run", "-d", "--network", "none", image, helper, "listen", "127.0.0.2", port))
	defer w.run(t, nil, "rm", "-f", listener)
	waitListening(t, w, listener, port)

	run := func(underProfile bool, args ...string) (string, int) {
		cmd := []string{"run", "--rm", "--network", "container:" + listener}
		if underProfile {
			cmd = append(cmd, "--profile", profile)
		}
		if user != "" {
			cmd = append(cmd, "--user", user)
		}
		cmd = append(append(cmd, image, helper), args...)
		out, stderr, code := w.run(t, nil, cmd...)
		return strings.TrimSpace(out + stderr), code
	}
	// The helper itself starts under the profile: what a step is refused,
	// the profile refused, not the helper's start.
	if out, code := run(true, "none"); code != 0 {
		t.Fatalf("the attack helper cannot start under the profile: exit %d: %s", code, out)
	}
	steps := []struct {
		name string
		args []string
	}{
		{"unshare -U", []string{"unshare"}},
		{"mount", []string{"mount", attackDir}},
		{"ptrace", []string{"ptrace"}},
		{"raw socket", []string{"raw"}},
		{"keyctl", []string{"keyctl"}},
		{"bpf", []string{"bpf"}},
		{"chmod u+s", []string{"chmod", attackDir + "/owned"}},
		{"write to /etc", []string{"write", "/etc/ward-attack"}},
		{"connect elsewhere", []string{"connect", "127.0.0.2", port}},
		{"exec from /tmp", []string{"exectmp", "/tmp"}},
	}
	var r attackResult
	blocked := func(underProfile bool, name string, args []string) bool {
		out, code := run(underProfile, args...)
		switch code {
		case 0:
			return false
		case 1:
			return true
		}
		t.Errorf("%s (profile %v): exit %d, neither let through nor refused: %s", name, underProfile, code, out)
		return false
	}
	for _, s := range steps {
		byProfile := blocked(true, s.name, s.args)
		byDocker := blocked(false, s.name, s.args)
		t.Logf("%-18s blocked by the profile: %-5v by Docker's defaults: %v", s.name, byProfile, byDocker)
		if byProfile {
			r.profile++
		}
		if byDocker {
			r.docker++
		}
	}
	t.Logf("%s: %s", image, r)
	if r.profile < 9 {
		t.Errorf("the profile blocked %d of 10 attack steps, want at least 9", r.profile)
	}
	return r
}

// waitListening waits until the listener container's network namespace
// has a socket listening on port, read from the kernel's table for it
// (/proc/PID/net/tcp), so that a refused connection means a refusal.
func waitListening(t *testing.T, w *wardEnv, id, port string) {
	t.Helper()
	pid := strings.TrimSpace(w.must(t, "inspect", "-f", "{{.State.Pid}}", id))
	n, _ := strconv.Atoi(port)
	want := fmt.Sprintf(":%04X 00000000:0000 0A", n) // local port, no peer, state LISTEN
	for i := 0; i < 100; i++ {
		data, err := os.ReadFile("/proc/" + pid + "/net/tcp")
		if err == nil && strings.Contains(string(data), want) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the listener container %s does not listen on port %s", id, port)
}
