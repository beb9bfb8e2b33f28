package cli

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
)

func TestNeedsRoot(t *testing.T) {
	denied := fmt.Errorf("container records /var/lib/ward: %w", &os.PathError{Op: "open", Path: "/var/lib/ward", Err: syscall.EACCES})
	for _, tc := range []struct {
		err  error
		euid int
		want bool
	}{
		{denied, 1000, true},
		{denied, 0, false}, // root was refused: something else is wrong
		{fmt.Errorf("mount: %v", syscall.EPERM), 1000, true},
		{errors.New("no such image: x"), 1000, false},
		{nil, 1000, false},
	} {
		if got := NeedsRoot(tc.err, tc.euid); got != tc.want {
			t.Errorf("%v as %d: got %v", tc.err, tc.euid, got)
		}
	}
}

func TestPlainNumbers(t *testing.T) {
	for in, want := range map[string]string{
		`invalid argument "x" for "--pids-limit" flag: strconv.ParseInt: parsing "x": invalid syntax`: `invalid argument "x" for "--pids-limit" flag: "x" is not a number`,
		`invalid argument "9e99" for "-c" flag: strconv.ParseInt: parsing "9e99": value out of range`: `invalid argument "9e99" for "-c" flag: "9e99" is out of range`,
		`no such container: abc`: `no such container: abc`,
	} {
		if got := plainNumbers(in); got != want {
			t.Errorf("plainNumbers(%q) = %q, want %q", in, got, want)
		}
	}
}
