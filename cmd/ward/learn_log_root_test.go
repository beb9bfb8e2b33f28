package main

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/learnprofile"
)

// learnShell learns busybox sh -c script as user into a profile,
// skipping where the host cannot observe. (A busybox applet run as
// another user than learned makes other calls, getgid, setgid and
// setuid: the tests learn as the user they run.)
func learnShell(t *testing.T, w *wardEnv, user, script string) string {
	t.Helper()
	profile := filepath.Join(t.TempDir(), "p.json")
	_, stderr, code := w.run(t, nil, "learn", "-o", profile, "--user", user, "busybox", "sh", "-c", script)
	if code == 125 && strings.Contains(stderr, "learning needs") {
		t.Skipf("skipped: %s", stderr)
	}
	if code != 0 {
		t.Fatalf("ward learn: exit %d: %s", code, stderr)
	}
	return profile
}

// --profile-mode log lets a call outside the profile through and
// reports it once, on ward's stderr and in inspect's
// .State.ProfileDenials; enforce refuses the same call.
func TestLearnProfileModeLog(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	profile := learnShell(t, w, "65534:65534", "busybox hostname >/dev/null && echo learned")
	// ioprio_get(2) was never made while learning (hostname, another
	// applet the shell runs the same way, was); busybox ionice fails when
	// it fails.
	script := "busybox ionice -p $$ && busybox ionice -p $$ && echo done"
	out, stderr, code := w.run(t, nil, "run", "--name", "logged", "--profile", profile, "--profile-mode", "log", "--user", "65534:65534", "busybox", "sh", "-c", script)
	if code != 0 || !strings.HasSuffix(out, "done\n") {
		t.Fatalf("log mode: exit %d, %q, %s: want the call let through", code, out, stderr)
	}
	reported := regexp.MustCompile(`system call (\w+) is outside its profile`).FindAllStringSubmatch(stderr, -1)
	var names []string
	for _, m := range reported {
		names = append(names, m[1])
	}
	if !slices.Contains(names, "ioprio_get") {
		t.Errorf("log mode did not report ioprio_get: %v\n%s", names, stderr)
	}
	if slices.Contains(names, "execve") || slices.Contains(names, "write") || len(slices.Compact(slices.Sorted(slices.Values(names)))) != len(names) {
		t.Errorf("log mode reported %v: want each call once, none the profile allows", names)
	}
	out, stderr, code = w.run(t, nil, "inspect", "-f", "{{json .State.ProfileDenials}}", "logged")
	var denials []string
	for _, f := range strings.FieldsFunc(strings.TrimSpace(out), func(r rune) bool { return strings.ContainsRune(`[]",`, r) }) {
		denials = append(denials, f)
	}
	if code != 0 || !slices.Equal(denials, names) {
		t.Errorf("inspect .State.ProfileDenials: exit %d, %s %s: want %v, what stderr reported", code, out, stderr, names)
	}
	w.run(t, nil, "rm", "logged")

	// Enforced, the same call fails and nothing is reported.
	out, stderr, code = w.run(t, nil, "run", "--rm", "--profile", profile, "--user", "65534:65534", "busybox", "sh", "-c", script)
	if code == 0 || strings.Contains(out, "done") || strings.Contains(stderr, "outside its profile") {
		t.Errorf("enforce mode: exit %d, %q, %s: want sync refused and no report", code, out, stderr)
	}
	// Bad usage is ward's own failure: no profile, an unknown mode.
	// (-d: learn_log_detach_root_test.go.)
	for _, args := range [][]string{
		{"run", "--rm", "--profile-mode", "log", "busybox", "true"},
		{"run", "--rm", "--profile", profile, "--profile-mode", "complain", "busybox", "true"},
	} {
		if _, stderr, code := w.run(t, nil, args...); code != 125 || !strings.Contains(stderr, "--profile-mode") {
			t.Errorf("%v: exit %d, %s; want 125 naming --profile-mode", args, code, stderr)
		}
	}
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("log mode left %v", left)
	}
}

// learn --verify names the first system call outside the profile when
// the replay fails: the workload is replayed in log mode, observed.
func TestLearnVerifyNamesDenial(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	profile := learnShell(t, w, "65534:65534", "busybox hostname >/dev/null && echo learned")
	if _, stderr, code := w.run(t, nil, "learn", "--verify", profile, "--user", "65534:65534", "busybox", "sh", "-c", "busybox hostname >/dev/null && echo learned"); code != 0 {
		t.Fatalf("verify of the learned command: exit %d: %s", code, stderr)
	}
	_, stderr, code := w.run(t, nil, "learn", "--verify", profile, "--user", "65534:65534", "busybox", "sh", "-c", "busybox ionice -p $$")
	if code != 1 || !regexp.MustCompile(`first system call outside the profile: ioprio_get\b`).MatchString(stderr) {
		t.Errorf("verify of a command making ioprio_get(2): exit %d, %s; want 1 naming it", code, stderr)
	}
	t.Logf("%s", strings.TrimSpace(stderr))
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("verify left %v", left)
	}
}

// A workload that executes a file it wrote gets that writable path
// mounted exec (the others stay noexec), and its profile replays.
func TestLearnExecWrittenFile(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	script := "mkdir -p /opt/bin /var/cache/app && cp /bin/busybox /opt/bin/true && /opt/bin/true && echo x > /var/cache/app/a"
	profile := learnShell(t, w, "0:0", script)
	p, err := learnprofile.Read(profile)
	if err != nil {
		t.Fatal(err)
	}
	exec := map[string]bool{}
	for _, wp := range p.WritablePaths {
		exec[wp.Path] = wp.Exec
	}
	if len(exec) != 2 || !exec["/opt/bin"] || exec["/var/cache/app"] {
		t.Errorf("writable paths %+v: want /opt/bin exec and /var/cache/app noexec", p.WritablePaths)
	}
	if _, stderr, code := w.run(t, nil, "run", "--rm", "--profile", profile, "busybox", "sh", "-c", script); code != 0 {
		t.Errorf("the workload under its profile: exit %d: %s", code, stderr)
	}
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("learning left %v", left)
	}
}
