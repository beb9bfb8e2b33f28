package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/containerview"
	"github.com/wardproject/ward/internal/format"
)

func newInspectCommand() *cobra.Command {
	var tmplText string
	cmd := &cobra.Command{
		Use:   "inspect [-f FORMAT] CONTAINER...",
		Short: "Print containers' records as a JSON array, as docker inspect does, or each through a Go template",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			tmpl, err := format.TemplateOf(tmplText)
			if err != nil {
				return err
			}
			out, errs, err := containerview.Inspect(cli.Layout(), args)
			if err != nil {
				return err
			}
			return format.PrintInspected(os.Stdout, tmpl, out, errs)
		}),
	}
	cmd.Flags().StringVarP(&tmplText, "format", "f", "", "print each object through a Go template (Docker's functions), or json")
	return cmd
}

func newPsCommand() *cobra.Command {
	var all, quiet, noTrunc, size, latest bool
	var last int
	var tmplText string
	var filters []string
	cmd := &cobra.Command{
		Use:   "ps [-a] [-q] [-s] [--no-trunc] [--filter KEY=VALUE] [--format TEMPLATE|json]",
		Short: "List containers",
		Args:  cobra.NoArgs,
		RunE: cli.ExitOne(func(_ *cobra.Command, _ []string) error {
			return containerview.Ps(cli.Layout(), os.Stdout, containerview.PsOptions{
				All: all, Quiet: quiet, NoTrunc: noTrunc, Size: size, Latest: latest, Last: last,
				Format: tmplText, Filters: filters,
			})
		}),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "show stopped containers too")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print IDs only")
	fl.BoolVar(&noTrunc, "no-trunc", false, "do not truncate IDs and commands")
	fl.BoolVarP(&size, "size", "s", false, "show the writable layer's size")
	fl.BoolVarP(&latest, "latest", "l", false, "show the latest created container")
	fl.IntVarP(&last, "last", "n", -1, "show the n last created containers")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "filter: id, name, label, status, exited, ancestor, network, volume, before, since, health")
	fl.StringVar(&tmplText, "format", "", "a Go template (Docker's fields and functions, table), or json")
	return cmd
}
