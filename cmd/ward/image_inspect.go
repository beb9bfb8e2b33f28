package main

import (
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/imageview"
)

func newImageInspectCommand() *cobra.Command {
	var tmplText string
	cmd := &cobra.Command{
		Use:   "inspect [-f FORMAT] IMAGE...",
		Short: "Show images as docker image inspect does (a JSON array); exit 1 if one is absent",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			tmpl, err := format.TemplateOf(tmplText)
			if err != nil {
				return err
			}
			out, errs, err := imageview.Inspect(cli.Layout(), args)
			if err != nil {
				return err
			}
			return format.PrintInspected(cmd.OutOrStdout(), tmpl, out, errs)
		}),
	}
	cmd.Flags().StringVarP(&tmplText, "format", "f", "", "print each image through a Go template (Docker's functions), or json")
	return cmd
}
