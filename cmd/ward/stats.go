package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/containerview"
)

func newStatsCommand() *cobra.Command {
	var all, noStream, noTrunc bool
	var tmplText string
	cmd := &cobra.Command{
		Use:   "stats [-a] [--no-stream] [--format TEMPLATE|json] [CONTAINER...]",
		Short: "Show containers' CPU, memory, network, block I/O and process counts",
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			return containerview.Stats(cli.Layout(), os.Stdout, containerview.StatsOptions{
				All: all, NoStream: noStream, NoTrunc: noTrunc, Format: tmplText, Names: args,
			})
		}),
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "show every container, not only running ones")
	cmd.Flags().BoolVar(&noStream, "no-stream", false, "print one reading and exit")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "show full IDs")
	cmd.Flags().StringVar(&tmplText, "format", "", "a Go template (Docker's fields and functions, table), or json")
	return cmd
}
