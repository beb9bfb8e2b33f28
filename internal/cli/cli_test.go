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
