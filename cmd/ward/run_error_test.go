package main

import (
	"strings"
	"testing"
)

// TestRuntimeErrorPrintedOnce: when the runtime cannot run the command,
// its message reaches the user once (the runtime writes it to its stderr,
// which in the foreground is ward's), detached or not.
func TestRuntimeErrorPrintedOnce(t *testing.T) {
	w := newWardEnv(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"foreground --rm", []string{"run", "--rm", "busybox", "nosuchcommand"}},
		{"foreground logged", []string{"run", "busybox", "nosuchcommand"}},
		{"detached", []string{"run", "-d", "busybox", "nosuchcommand"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := w.run(t, nil, tc.args...)
			if code != 127 {
				t.Errorf("exit %d, want 127; stderr %q", code, errOut)
			}
			if n := strings.Count(errOut, "nosuchcommand"); n != 1 {
				t.Errorf("stderr names the command %d times, want once: %q", n, errOut)
			}
		})
	}
}
