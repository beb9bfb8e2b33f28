package learn

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/linux/observe"
)

// A failed --verify's line: the first call outside the profile, the
// first path the kernel refused (then the others, at most three named),
// then the refused capabilities; and never "clean" when nothing was seen.
func TestDenialsString(t *testing.T) {
	path := func(p string, e unix.Errno) observe.RefusedPath { return observe.RefusedPath{Path: p, Errno: e} }
	for _, c := range []struct {
		name string
		d    Denials
		want string
	}{
		{"not observed", Denials{Paths: []observe.RefusedPath{path("/x", unix.EROFS)}},
			"the diagnosis replay observed nothing (the workload's exec was not seen)"},
		{"nothing refused", Denials{Observed: true},
			"no system call outside the profile, no path refused and no capability refused was seen"},
		{"a path", Denials{Observed: true, Paths: []observe.RefusedPath{path("/var/cache/foo", unix.EROFS)}},
			"first path refused: /var/cache/foo (read-only file system)"},
		{"everything", Denials{Observed: true, Syscalls: []string{"ioprio_get", "sync"}, Capabilities: []string{"CAP_SYS_ADMIN"},
			Paths: []observe.RefusedPath{path("/tmp/x", unix.EACCES), path("/a", unix.EROFS), path("/b", unix.EROFS), path("/c", unix.EROFS), path("/d", unix.EROFS)}},
			"first system call outside the profile: ioprio_get (then sync); first path refused: /tmp/x (permission denied) (then /a, /b, /c, 1 more); capabilities checked and refused: CAP_SYS_ADMIN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.d.String(); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}
