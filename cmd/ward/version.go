package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/version"
)

// versionTemplate lays out `ward version` as docker version's Client
// section.
const versionTemplate = `Client:
 Version:           {{.Client.Version}}
 Go version:        {{.Client.GoVersion}}
 Git commit:        {{.Client.GitCommit}}
 Built:             {{if .Client.BuildTime}}{{.Client.BuildTime}}{{else}}unknown{{end}}
 OS/Arch:           {{.Client.Os}}/{{.Client.Arch}}`

type versionReport struct{ Client version.Info }

func newVersionCommand() *cobra.Command {
	var tmplText string
	cmd := &cobra.Command{
		Use:   "version [--format TEMPLATE|json]",
		Short: "Show ward's version",
		Args:  cobra.NoArgs,
		RunE: cli.ExitOne(func(_ *cobra.Command, _ []string) error {
			if tmplText == "" {
				tmplText = versionTemplate
			}
			tmpl, err := format.TemplateOf(tmplText)
			if err != nil {
				return err
			}
			return format.Inspect(os.Stdout, tmpl, versionReport{Client: version.Get()})
		}),
	}
	cmd.Flags().StringVarP(&tmplText, "format", "f", "", "a Go template ({{.Client.Version}}), or json")
	return cmd
}
