package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
)

// newSystemCommand is `ward system`: df, prune (system_prune.go) and
// boot (system_boot.go).
func newSystemCommand() *cobra.Command {
	sys := &cobra.Command{Use: "system", Short: "Manage ward's root"}
	sys.AddCommand(newSystemDfCommand(), newSystemPruneCommand(), newSystemBootCommand())
	return sys
}

func newSystemDfCommand() *cobra.Command {
	var tmplText string
	cmd := &cobra.Command{
		Use:   "df [--format TEMPLATE|json]",
		Short: "Show the disk space images, containers and volumes use",
		Args:  cobra.NoArgs,
		RunE: cli.ExitOne(func(_ *cobra.Command, _ []string) error {
			if tmplText == "" {
				tmplText = listing.DefaultDiskUsageFormat
			}
			w, err := format.New(os.Stdout, tmplText, listing.DiskUsageHeaders)
			if err != nil {
				return err
			}
			rows, err := listing.DiskUsage(cli.Layout())
			if err != nil {
				return err
			}
			for _, r := range rows {
				if err := w.Write(r); err != nil {
					return err
				}
			}
			return w.Flush()
		}),
	}
	cmd.Flags().StringVar(&tmplText, "format", "", "a Go template (Docker's fields and functions, table), or json")
	return cmd
}
