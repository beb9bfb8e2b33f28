package ociruntime

import (
	"errors"
	"fmt"
	"testing"
)

// TestExitStatus: 126 and 127 only for the exec step, as Docker means
// them; everything before it is 125, whatever words it uses.
func TestExitStatus(t *testing.T) {
	tests := []struct {
		msg  string
		want int
	}{
		// ward-runtime and runc
		{`exec: "nosuch": executable file not found in $PATH`, 127},
		{`runc create failed: unable to start container process: exec: "nosuch": executable file not found in $PATH`, 127},
		{`exec: "/bin/nosuch": stat /bin/nosuch: no such file or directory`, 127},
		{`exec: "/etc": is a directory`, 126},
		{`exec: "/etc/passwd": permission denied`, 126},
		{`runc create failed: unable to start container process: exec: "/etc/passwd": permission denied`, 126},
		// crun
		{"executable file `nosuch` not found in $PATH: No such file or directory", 127},
		{"open executable: Permission denied", 126},
		// Failures before the exec, whose words must not count.
		{`mount /nonexistent to /x: no such file or directory`, 125},
		{`error mounting "tmpfs" to rootfs at "/proc": mount tmpfs:/proc: permission denied`, 125},
		{`write /sys/fs/cgroup/cpu/ward/x/cpu.cfs_quota_us: invalid argument`, 125},
		{`open /run/x/pid: no such file or directory`, 125},
		{`setenv: invalid argument`, 125},
	}
	for _, tc := range tests {
		err := fmt.Errorf("container x: %w", &Error{Op: "create", ID: "x", Msg: tc.msg})
		if got := ExitStatus(err); got != tc.want {
			t.Errorf("ExitStatus(%q) = %d, want %d", tc.msg, got, tc.want)
		}
	}
	// An error that is not the runtime's is ward's own: 125, whatever it says.
	if got := ExitStatus(errors.New(`exec: "nosuch": executable file not found in $PATH`)); got != 125 {
		t.Errorf("ward's own error: %d, want 125", got)
	}
}
