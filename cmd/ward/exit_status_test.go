package main

import (
	"strings"
	"testing"
)

// TestExitStatusClasses is issue 12's seventh case: 125 for anything that
// fails before the container's program is executed, 126 and 127 only as
// Docker means them (the program cannot be invoked, is not found).
func TestExitStatusClasses(t *testing.T) {
	w := newWardEnv(t)
	for _, tc := range []struct {
		name string
		args []string
		code int
		say  string // in stderr
	}{
		{"missing -v source", []string{"-v", "/nonexistent-ward-src:/x", "busybox", "true"}, 125, "/nonexistent-ward-src"},
		{"tmpfs over /proc", []string{"--tmpfs", "/proc", "busybox", "true"}, 125, "/proc"},
		{"command not found", []string{"busybox", "nosuchcommand"}, 127, "nosuchcommand"},
		{"command is a directory", []string{"busybox", "/etc"}, 126, "/etc"},
		{"command not executable", []string{"busybox", "/etc/passwd"}, 126, "/etc/passwd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := w.run(t, nil, append([]string{"run", "--rm"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.say) {
				t.Errorf("exit %d, stderr %q; want %d naming %q", code, errOut, tc.code, tc.say)
			}
			if left := w.leftovers(t); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}
