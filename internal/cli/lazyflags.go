package cli

import "github.com/spf13/cobra"

// Deferred flags. `ward run`'s flag set (some sixty flags, with their
// default values formatted by pflag) is declared by run, create,
// container run, container create, learn and container learn: building
// all of them at every start of ward was about 8% of a short `ward run
// --rm`'s own CPU (BENCHMARKS.md, issue #11). A command whose flags are
// deferred declares them in a function that Run calls before executing
// the command line: only that command's when the command line runs it,
// every command's otherwise (help, completion, man pages and unknown
// verbs read the whole tree).
//
// Only a command without subcommands may defer its flags: cobra finds
// a command's subcommand by stripping the command's own flags from the
// arguments, which deferred flags would not be yet.

// lazyFlags maps a command to the function declaring its flags; filled
// while main builds the tree, read once by RegisterFlags.
var lazyFlags = map[*cobra.Command]func(){}

// afterFlags run once the flags are declared (what looks flags up, such
// as completion functions for a flag's values).
var afterFlags []func()

// LazyFlags defers the declaration of cmd's flags to RegisterFlags.
func LazyFlags(cmd *cobra.Command, declare func()) {
	if cmd.HasSubCommands() {
		panic("cli.LazyFlags: " + cmd.Name() + " has subcommands") // a programming error: see above
	}
	lazyFlags[cmd] = declare
}

// AfterFlags runs fn once RegisterFlags has declared the flags.
func AfterFlags(fn func()) { afterFlags = append(afterFlags, fn) }

// RegisterFlags declares the deferred flags that the command line args
// (without the program's name) needs: those of the command it runs when
// that command deferred them, else every command's. Run calls it; a test
// executing a tree itself calls it with nil args.
func RegisterFlags(root *cobra.Command, args []string) {
	if args != nil {
		if cmd, _, err := root.Find(args); err == nil && lazyFlags[cmd] != nil {
			declare(cmd)
			runAfterFlags()
			return
		}
	}
	for cmd := range lazyFlags {
		declare(cmd)
	}
	runAfterFlags()
}

func declare(cmd *cobra.Command) {
	if fn := lazyFlags[cmd]; fn != nil {
		delete(lazyFlags, cmd)
		fn()
	}
}

func runAfterFlags() {
	fns := afterFlags
	afterFlags = nil
	for _, fn := range fns {
		fn()
	}
}
