package foreground

import (
	"os/exec"
	"testing"
)

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"success", []string{"-c", "exit 0"}, 0},
		{"status", []string{"-c", "exit 7"}, 7},
		{"killed by a signal", []string{"-c", "kill -KILL $$"}, 128 + 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sh, err := exec.LookPath("sh")
			if err != nil {
				t.Skip("skipped: no sh on PATH")
			}
			cmd := exec.Command(sh, tc.args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if got := Wait(cmd); got != tc.want {
				t.Errorf("Wait(sh %q) = %d, want %d", tc.args, got, tc.want)
			}
		})
	}
	if got := ExitCode(nil, exec.ErrNotFound); got != 255 {
		t.Errorf("ExitCode(nil, error) = %d, want 255", got)
	}
	if got := ExitCode(nil, nil); got != 0 {
		t.Errorf("ExitCode(nil, nil) = %d, want 0", got)
	}
}

func TestTerminalIfNotNeeded(t *testing.T) {
	term, err := TerminalIf(false)
	if err != nil || term != nil {
		t.Fatalf("TerminalIf(false) = %v, %v; want nil, nil", term, err)
	}
	term.Close() // a nil terminal closes as nothing
}
