package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/prune"
)

// newSystemPruneCommand is `ward system prune`.
func newSystemPruneCommand() *cobra.Command {
	var force bool
	p := &cobra.Command{
		Use:   "prune [-f]",
		Short: "Remove stopped containers and what killed ward processes left behind",
		Long: `Remove stopped containers and what killed ward processes left behind:
records of containers whose supervisor died, container directories without
a record, snapshots still mounted, runtime state of a create that never
finished, network namespaces, cgroups holding processes nobody waits for,
observers (ward-observe) of containers that are gone, and image blobs no
image uses. Running containers are not touched, nor
anything under another ward root.`,
		Args: cobra.NoArgs,
		RunE: cli.ExitOne(func(cmd *cobra.Command, _ []string) error {
			if !force && !cli.Confirm(cmd.InOrStdin(), os.Stderr, `WARNING! This will remove:
  - all stopped containers
  - what killed ward processes left behind (container state, cgroups, mounts, unused image blobs)`) {
				return nil
			}
			rt, err := engineconfig.Runtime("")
			if err != nil {
				return err
			}
			e, err := open.Engine(cli.Layout(), rt)
			if err != nil {
				return err
			}
			rep := prune.Run(e)
			rep.Print(cmd.OutOrStdout())
			return errors.Join(rep.Errors...)
		}),
	}
	p.Flags().BoolVarP(&force, "force", "f", false, "do not prompt for confirmation")
	return p
}
