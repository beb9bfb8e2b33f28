package pstable

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	ps := "UID PID PPID CMD\nroot 1 0 init\nroot 42 1 sh\nroot 420 42 sleep\n"
	var buf bytes.Buffer
	if err := filter(&buf, ps, []int{42}, []string{"-ef"}); err != nil {
		t.Fatal(err)
	}
	if want := "UID PID PPID CMD\nroot 42 1 sh\n"; buf.String() != want {
		t.Errorf("filter = %q, want %q", buf.String(), want)
	}
	err := filter(&buf, "UID CMD\nroot init\n", []int{1}, []string{"-o", "uid,cmd"})
	if err == nil || err.Error() != "ps -o uid,cmd printed no PID column" {
		t.Errorf("filter without a PID column: %v", err)
	}
}

// TestWriteHostPs runs the host's ps and finds this test's own process.
func TestWriteHostPs(t *testing.T) {
	if _, err := exec.LookPath("ps"); err != nil {
		t.Skip("skipped: no ps on PATH")
	}
	var buf bytes.Buffer
	if err := Write(&buf, []int{os.Getpid()}, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "PID") || !strings.Contains(lines[1], " "+strconv.Itoa(os.Getpid())+" ") {
		t.Errorf("Write(own pid) = %q", buf.String())
	}
}
