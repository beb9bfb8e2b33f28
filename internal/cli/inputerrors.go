package cli

import (
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/exitstatus"
)

// InputErrors gives cmd and its subcommands the exit-status convention of
// ward's audit verbs (check, sbom, scan, db), as hadolint's and trivy's:
// 0 when it ran and nothing reached --fail-on, 1 when something did (an
// error carrying ExitCode 1), and code (2) for everything else: bad flags
// or arguments, a missing path or image, no database. Without it an error
// would exit 125, which is docker's status for the engine failing. An
// error that carries its own status (an ExitCode method) keeps it.
func InputErrors(cmd *cobra.Command, code int) *cobra.Command {
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return exitstatus.New(code, err) })
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error {
			if err := args(c, a); err != nil {
				return exitstatus.New(code, err)
			}
			return nil
		}
	}
	if run := cmd.RunE; run != nil {
		cmd.RunE = func(c *cobra.Command, a []string) error {
			err := run(c, a)
			if err == nil {
				return nil
			}
			if _, ok := err.(interface{ ExitCode() int }); ok {
				return err
			}
			return exitstatus.New(code, err)
		}
	}
	for _, sub := range cmd.Commands() {
		InputErrors(sub, code)
	}
	return cmd
}
