package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// ward run --policy restricted with a real busybox image: a root command
// line is refused (exit 125, one line per rule with its flag, nothing
// left behind); the same line with the flags the refusal names runs.
func TestRunPolicyRestrictedBusybox(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)

	_, stderr, code := w.run(t, nil, "run", "--rm", "--policy", "restricted", "busybox", "id", "-u")
	if code != 125 || !strings.Contains(stderr, "refused by policy restricted") {
		t.Fatalf("root busybox under restricted: exit %d, %s", code, stderr)
	}
	for _, want := range []string{"WD100", "--user", "WD110", "--cap-drop ALL", "WD130", "no-new-privileges", "WD140", "--read-only"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("refusal does not name %s:\n%s", want, stderr)
		}
	}
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("a refused run left %v", left)
	}

	out, stderr, code := w.run(t, nil, "run", "--rm", "--policy", "restricted", "--user", "1000:1000", "--cap-drop", "ALL",
		"--security-opt", "no-new-privileges", "--read-only", "busybox", "id", "-u")
	if code != 0 || strings.TrimSpace(out) != "1000" {
		t.Fatalf("hardened busybox under restricted: exit %d, out %q, %s", code, out, stderr)
	}
}
