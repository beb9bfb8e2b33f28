package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidationDockerDoes is issue 12's eighth case: what Docker refuses
// before anything runs, ward refuses with one clear line and 125 (other
// verbs 1), without Go's internals in the message.
func TestValidationDockerDoes(t *testing.T) {
	w := newWardEnv(t)
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("A=1\nB=x\x00y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		say  string
	}{
		{"cpus far too small", []string{"run", "--rm", "--cpus", "0.0000001", "busybox", "true"}, 125, "range of CPUs is from 0.01"},
		{"cpus below the kernel's quota", []string{"run", "--rm", "--cpus", "0.001", "busybox", "true"}, 125, "range of CPUs is from 0.01"},
		{"env without a name", []string{"run", "--rm", "-e", "=x", "busybox", "true"}, 125, `invalid environment variable in -e: "=x"`},
		{"empty env", []string{"run", "--rm", "-e", "", "busybox", "true"}, 125, "invalid environment variable"},
		{"NUL in an env file", []string{"run", "--rm", "--env-file", envFile, "busybox", "true"}, 125, "NUL byte"},
		{"uppercase reference", []string{"run", "--rm", "BusyBox:RT", "true"}, 125, "invalid reference format"},
		{"dotdot reference", []string{"run", "--rm", "../..", "true"}, 125, "invalid reference format"},
		{"empty reference", []string{"run", "--rm", "", "true"}, 125, "invalid reference format"},
		{"huge reference", []string{"run", "--rm", strings.Repeat("a", 10000), "true"}, 125, "invalid reference format"},
		{"pids-limit not a number", []string{"run", "--rm", "--pids-limit", "x", "busybox", "true"}, 125, `"x" is not a number`},
		{"import under a dotdot tag", []string{"import", envFile, "a/../b:t"}, 1, "invalid reference format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := w.run(t, nil, tc.args...)
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if code != tc.code || len(lines) != 1 || !strings.Contains(errOut, tc.say) || strings.Contains(errOut, "strconv") {
				if len(errOut) > 300 {
					errOut = errOut[:300] + "..."
				}
				t.Errorf("exit %d, stderr %q; want %d and one line with %q", code, errOut, tc.code, tc.say)
			}
			if left := w.leftovers(t); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
	if out := w.must(t, "images", "-q"); len(strings.Fields(out)) != 1 {
		t.Errorf("images after the refusals: %q, want busybox only", out)
	}
}
