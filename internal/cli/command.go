package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/exitstatus"
)

// Renamed gives a command another name and aliases, keeping the rest of
// its usage line: docker lists `ward images` under `ward image` as
// `image ls`, the same verb.
func Renamed(c *cobra.Command, use string, aliases ...string) *cobra.Command {
	_, rest, _ := strings.Cut(c.Use, " ")
	c.Use = strings.TrimSpace(use + " " + rest)
	c.Aliases = aliases
	return c
}

// ExitOne makes a verb other than run exit 1 when it fails, as docker's
// do (125 is for `ward run` failing in the engine), unless its error
// carries a status of its own.
func ExitOne(run func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return exitstatus.Always(1, run)
}

// ArgsExitOne makes a wrong argument count exit 1, as docker's verbs do
// ("requires at most 1 argument"); flag errors stay 125, as docker's.
func ArgsExitOne(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return exitstatus.New(1, err)
		}
		return nil
	}
}

// IntIfChanged is &v when the flag name was given, nil otherwise: a
// flag whose default means "what the object says" (stop's -t: the
// container's --stop-timeout).
func IntIfChanged(cmd *cobra.Command, name string, v int) *int {
	if cmd.Flags().Changed(name) {
		return &v
	}
	return nil
}

// SetVersion gives root --version (and -v, as docker), printing
// "NAME version VERSION".
func SetVersion(root *cobra.Command, version string) {
	root.Version = version
	root.SetVersionTemplate("{{.Name}} version {{.Version}}\n")
	root.Flags().BoolP("version", "v", false, "print the version and exit")
}

// Confirm asks Docker's question before a prune or another removal of
// many things: the warning, then "Are you sure you want to continue?"
// on prompt; only y or yes (any case) on in says yes.
func Confirm(in io.Reader, prompt io.Writer, warning string) bool {
	fmt.Fprintf(prompt, "%s\nAre you sure you want to continue? [y/N] ", warning)
	line, _ := bufio.NewReader(in).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}
