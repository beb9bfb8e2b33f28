package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/prune"
)

// newImagePruneCommand is `ward image prune`: dangling images (no tag),
// or with -a every image no container uses.
func newImagePruneCommand() *cobra.Command {
	var force, all bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [-a] [-f] [--filter label=...|until=...]",
		Short: "Remove dangling images, or with -a every image no container uses",
		Args:  cobra.NoArgs,
		RunE: cli.ExitOne(func(cmd *cobra.Command, _ []string) error {
			f, err := prune.ParseFilters(filters, "label", "label!", "until")
			if err != nil {
				return err
			}
			warning := "WARNING! This will remove all dangling images."
			if all {
				warning = "WARNING! This will remove all images without at least one container associated to them."
			}
			if !force && !cli.Confirm(cmd.InOrStdin(), os.Stderr, warning) {
				return nil
			}
			rep, err := prune.Images(cli.Layout(), all, f)
			if err != nil {
				return err
			}
			rep.Print(cmd.OutOrStdout(), "Deleted Images:", true)
			return errors.Join(rep.Errors...)
		}),
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove every image no container uses, not just dangling ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "filter: label=KEY[=VALUE], label!=..., until=TIMESTAMP|DURATION")
	return cmd
}
