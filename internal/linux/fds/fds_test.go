package fds

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// A descriptor opened without O_CLOEXEC is marked close-on-exec; those
// below first are left as they are.
func TestCloseOnExecFrom(t *testing.T) {
	fd, err := unix.Open(os.DevNull, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	flags := func(fd int) int {
		f, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if flags(fd)&unix.FD_CLOEXEC != 0 {
		t.Fatalf("descriptor %d is close-on-exec before the test", fd)
	}
	if err := CloseOnExecFrom(fd + 1); err != nil {
		t.Fatal(err)
	}
	if flags(fd)&unix.FD_CLOEXEC != 0 {
		t.Errorf("descriptor %d below first was marked close-on-exec", fd)
	}
	if err := CloseOnExecFrom(fd); err != nil {
		t.Fatal(err)
	}
	if flags(fd)&unix.FD_CLOEXEC == 0 {
		t.Errorf("descriptor %d was not marked close-on-exec", fd)
	}
	if flags(0)&unix.FD_CLOEXEC != 0 {
		t.Errorf("stdin was marked close-on-exec")
	}
}
