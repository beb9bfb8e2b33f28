package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/scan/report"
	"github.com/wardproject/ward/internal/scan/verbs"
)

func newScanCommand() *cobra.Command {
	var o verbs.ScanOptions
	cmd := &cobra.Command{
		Use:   "scan IMAGE|DIR|TAR",
		Short: "Report known vulnerabilities of the packages in an image, a root filesystem or an image archive",
		Long: `Report the advisories in ward's vulnerability database that affect the
installed version of a package in an image of ward's store, a root
filesystem, a rootfs tarball, or a docker-save / OCI archive. A name that is
not a path is looked up in the store, else read from its registry without
being stored or run (--image-src store|registry forces one). Matching
works offline; see ward db.

Every report says what was covered: the distribution and whether the
database holds its advisories, each package ecosystem found and whether it
was matched, and package files that could not be read. A scan that is not
complete is not clean: --fail-on fails it unless --allow-uncovered.
A finding of UNKNOWN severity fails --fail-on at every level unless
--severity leaves UNKNOWN out, as trivy's --exit-code does.

Exit status: 0 when the scan ran and nothing reached --fail-on, 1 when a
finding reached it or coverage is incomplete, 2 for usage or input errors
(a missing path or image, no database).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return verbs.Scan(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), cli.Layout(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Format, "format", "table", "output format: "+strings.Join(report.ScanFormats, ", "))
	f.StringVarP(&o.Output, "output", "o", "", "write to this file instead of standard output")
	f.StringSliceVar(&o.Severities, "severity", nil, "show only these severities (CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN)")
	f.BoolVar(&o.IgnoreUnfixed, "ignore-unfixed", false, "hide findings that have no fixed version yet")
	f.StringVar(&o.FailOn, "fail-on", "", "exit 1 when a finding is at or above this severity (or of UNKNOWN severity), or coverage is incomplete")
	f.BoolVar(&o.AllowUncovered, "allow-uncovered", false, "let --fail-on pass a scan whose coverage is incomplete (the report still lists the gaps)")
	f.StringVar(&o.VEXFile, "vex", "", "OpenVEX document whose not_affected and fixed statements suppress findings")
	f.StringVar(&o.From, "image-src", "", "read the image from ward's store or its registry only (store, registry); default: a path, else the store, else the registry")
	f.StringVar(&o.IgnoreFile, "ignore-file", "", "file of advisory IDs or aliases to suppress, one per line")
	return cmd
}
