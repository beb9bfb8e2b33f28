// Package cli is what ward and ward-audit share of a command line: the
// root command with the global --root flag, where ward keeps its state,
// and how an error becomes a message and an exit status (Docker's
// conventions: 125 when ward itself fails, or the status a command chose).
package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/rootdir"
)

// DefaultRoot is ward's state directory when neither --root nor WARD_ROOT
// names one.
const DefaultRoot = "/var/lib/ward"

// Root returns ward's root command: errors and usage are printed by Run,
// and the global --root flag sets WARD_ROOT, which WardRoot reads (so the
// processes ward starts see the same root).
func Root(use, short string) *cobra.Command {
	root := &cobra.Command{Use: use, Short: short, SilenceUsage: true, SilenceErrors: true}
	var dir string
	root.PersistentFlags().StringVar(&dir, "root", "", "directory of everything ward keeps (default $WARD_ROOT, else "+DefaultRoot+")")
	root.PersistentPreRun = func(*cobra.Command, []string) {
		if dir != "" {
			os.Setenv("WARD_ROOT", dir)
		}
	}
	return root
}

// WardRoot is ward's state directory: WARD_ROOT, else DefaultRoot.
func WardRoot() string {
	if r := os.Getenv("WARD_ROOT"); r != "" {
		return r
	}
	return DefaultRoot
}

// Layout is the layout of ward's root directory, WardRoot.
func Layout() rootdir.Layout { return rootdir.Layout(WardRoot()) }

// Run executes root and exits: 0, or the error's message ("ward: ..."; an
// empty message was printed already, by a process ward ran) and status.
func Run(root *cobra.Command) {
	RegisterFlags(root, os.Args[1:]) // lazyflags.go
	err := root.Execute()
	if err == nil {
		os.Exit(0)
	}
	if msg := err.Error(); msg != "" {
		if NeedsRoot(err, os.Geteuid()) {
			msg = root.Name() + " needs root privileges (run it with sudo): " + msg
		}
		fmt.Fprintln(os.Stderr, "ward: "+plainNumbers(msg))
	}
	os.Exit(ExitCode(err))
}

// NeedsRoot tells whether an error is a refusal of the kernel that
// running as root would have avoided: EACCES or EPERM met by a user
// other than root, whose raw "permission denied" from deep inside says
// nothing of what to do.
func NeedsRoot(err error, euid int) bool {
	if euid == 0 || err == nil {
		return false
	}
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "permission denied") || strings.Contains(msg, "operation not permitted")
}

// ExitCode is the status a command chose through an ExitCode() method
// (e.g. `ward check` exits 1 when it finds something at or above
// --fail-on), else 125, as docker's when the engine itself fails.
// Only the error itself is asked, not what it wraps: a wrapped
// *exec.ExitError of some helper process must not become ward's status.
func ExitCode(err error) int {
	if ec, ok := err.(interface{ ExitCode() int }); ok {
		return ec.ExitCode()
	}
	return 125
}

// goNumError is how Go's strconv describes a bad number inside messages
// ward cannot type (pflag's "invalid argument ... for --flag" wraps it as
// text): shown to users, it names Go internals instead of the problem.
//
// Compiled on first use, not at every start of the program.
var goNumError = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`strconv\.Parse\w+: parsing "((?:[^"\\]|\\.)*)": (invalid syntax|value out of range)`)
})

// plainNumbers rewrites strconv's wording into plain words.
func plainNumbers(msg string) string {
	return goNumError().ReplaceAllStringFunc(msg, func(m string) string {
		sub := goNumError().FindStringSubmatch(m)
		if sub[2] == "value out of range" {
			return fmt.Sprintf("%q is out of range", sub[1])
		}
		return fmt.Sprintf("%q is not a number", sub[1])
	})
}
