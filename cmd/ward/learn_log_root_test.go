package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// learnShell learns busybox sh -c script into a profile, skipping where
// the host cannot observe.
func learnShell(t *testing.T, w *wardEnv, script string) string {
	t.Helper()
	profile := filepath.Join(t.TempDir(), "p.json")
	_, stderr, code := w.run(t, nil, "learn", "-o", profile, "busybox", "sh", "-c", script)
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
	profile := learnShell(t, w, "echo learned")
	// sync(2) was never made while learning; busybox sync reports its
	// failure under enforce.
	script := "sync && sync && echo synced"
	out, stderr, code := w.run(t, nil, "run", "--name", "logged", "--profile", profile, "--profile-mode", "log", "busybox", "sh", "-c", script)
	if code != 0 || strings.TrimSpace(out) != "synced" {
		t.Fatalf("log mode: exit %d, %q, %s: want the call let through", code, out, stderr)
	}
	if n := strings.Count(stderr, "system call sync is outside its profile"); n != 1 {
		t.Errorf("log mode stderr reports sync %d times, want once:\n%s", n, stderr)
	}
	if strings.Contains(stderr, "system call write ") || strings.Contains(stderr, "system call execve ") {
		t.Errorf("log mode reported calls the profile allows:\n%s", stderr)
	}
	out, stderr, code = w.run(t, nil, "inspect", "-f", "{{json .State.ProfileDenials}}", "logged")
	var denials []string
	for _, f := range strings.FieldsFunc(strings.TrimSpace(out), func(r rune) bool { return strings.ContainsRune(`[]",`, r) }) {
		denials = append(denials, f)
	}
	if code != 0 || !slices.Contains(denials, "sync") || slices.Contains(denials, "write") {
		t.Errorf("inspect .State.ProfileDenials: exit %d, %s %s: want sync and no allowed call", code, out, stderr)
	}
	w.run(t, nil, "rm", "logged")

	// Enforced, the same call fails and nothing is reported.
	out, stderr, code = w.run(t, nil, "run", "--rm", "--profile", profile, "busybox", "sh", "-c", script)
	if code == 0 || strings.Contains(out, "synced") || strings.Contains(stderr, "outside its profile") {
		t.Errorf("enforce mode: exit %d, %q, %s: want sync refused and no report", code, out, stderr)
	}
	// Bad usage is ward's own failure: no profile, an unknown mode, -d.
	for _, args := range [][]string{
		{"run", "--rm", "--profile-mode", "log", "busybox", "true"},
		{"run", "--rm", "--profile", profile, "--profile-mode", "complain", "busybox", "true"},
		{"run", "-d", "--profile", profile, "--profile-mode", "log", "busybox", "true"},
	} {
		if _, stderr, code := w.run(t, nil, args...); code != 125 || !strings.Contains(stderr, "--profile-mode") {
			t.Errorf("%v: exit %d, %s; want 125 naming --profile-mode", args, code, stderr)
		}
	}
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("log mode left %v", left)
	}
}
