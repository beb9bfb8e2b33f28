package boundaries

import "testing"

// What ward run, create and the monitor verbs do lives below cmd/ward in
// packages that know no command line: they take values (the flags'
// values, and whether a flag was given), so they can be called and
// tested without cobra, and cmd/ward stays a declaration of flags.
func TestRunFrontLinksNoCommandLine(t *testing.T) {
	for _, p := range []string{"internal/runrequest", "internal/runpolicy", "internal/pullpolicy", "internal/runflow", "internal/foreground", "internal/detach"} {
		requireNone(t, p, "github.com/spf13/cobra", "github.com/spf13/pflag")
	}
}
