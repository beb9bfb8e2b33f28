package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/scan/analyzer"
	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/scan/report"
)

func newSBOMCommand() *cobra.Command {
	var format, output, imageSrc string
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
			inv, err := inventoryOf(cmd.Context(), args[0], imageSrc)
			if err != nil {
				return err
			}
			coverage, err := matcher.Cover(inv, nil)
			if err != nil {
				return err
			}
			inv.Coverage = &coverage
			return withOutput(cmd.OutOrStdout(), output, func(w io.Writer) error {
				return report.WriteSBOM(w, inv, format, time.Now())
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: "+strings.Join(report.SBOMFormats, ", "))
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&imageSrc, "image-src", "", "read the image from ward's store or its registry only (store, registry); default: a path, else the store, else the registry")
	return cmd
}

// inventoryOf runs every analyzer over the directory, archive or stored
// image that target names.
func inventoryOf(ctx context.Context, target, imageSrc string) (*inventory.Inventory, error) {
	src, err := openScanSource(ctx, target, imageSrc)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return analyzer.Run(src, target, analyzer.All())
}

// withOutput runs write against path (created, replaced only on success) or
// against stdout when path is empty.
func withOutput(stdout io.Writer, path string, write func(io.Writer) error) error {
	if path == "" {
		return write(stdout)
	}
	tmp, err := os.CreateTemp(dirOf(path), ".ward-out-*")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func dirOf(path string) string {
	if i := strings.LastIndex(path, "/"); i >= 0 {
		return path[:i+1]
	}
	return "."
}
