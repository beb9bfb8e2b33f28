package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/scan/report"
	"github.com/wardproject/ward/internal/scan/verbs"
)

func newSBOMCommand() *cobra.Command {
	var o verbs.SBOMOptions
	cmd := &cobra.Command{
		Use:   "sbom IMAGE|DIR|TAR",
		Short: "List the packages installed in an image, a root filesystem or an image archive",
		Long: `List the packages installed in an image of ward's store, a root filesystem
directory, a rootfs tarball, or a docker-save / OCI image archive (told
apart by content). A name that is not a path is looked up in the store,
else read from its registry (REGISTRY/REPO:TAG; credentials from the
Docker config file) without being stored or run.
Nothing is extracted: layers are streamed. Every format says what was
covered: the distribution and whether ward knows its advisories, each
package ecosystem found, and package files that could not be read.

Exit status: 0 when the SBOM was written, 2 for usage or input errors.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return verbs.SBOM(cmd.Context(), cmd.OutOrStdout(), cli.Layout(), args[0], o)
		},
	}
	cmd.Flags().StringVar(&o.Format, "format", "table", "output format: "+strings.Join(report.SBOMFormats, ", "))
	cmd.Flags().StringVarP(&o.Output, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&o.From, "image-src", "", "read the image from ward's store or its registry only (store, registry); default: a path, else the store, else the registry")
	return cmd
}
