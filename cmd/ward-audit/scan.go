package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/scan/report"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// findingsError is why `ward scan --fail-on` exits 1, as `ward check`
// does: a finding at or above the level, or coverage that is not complete.
type findingsError struct {
	level   string
	gaps    int // coverage gaps, when that is the reason
	unrated bool
}

func (e findingsError) Error() string {
	if e.gaps > 0 {
		return fmt.Sprintf("scan incomplete: %d coverage gaps (see the report; --allow-uncovered accepts them)", e.gaps)
	}
	if e.unrated {
		return "findings at or above " + e.level + " (UNKNOWN, unrated, reaches every level; --severity can leave it out)"
	}
	return "findings at or above " + e.level
}

func newScanCommand() *cobra.Command {
	var (
		format, output, failOn, vexFile, ignoreFile, imageSrc string
		severities                                            []string
		ignoreUnfixed, allowUncovered                         bool
	)
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
			if failOn != "" && vulndb.SeverityRank(failOn) == 0 {
				return fmt.Errorf("--fail-on %q: want CRITICAL, HIGH, MEDIUM or LOW", failOn)
			}
			for _, s := range severities {
				if vulndb.SeverityRank(s) == 0 && !strings.EqualFold(s, vulndb.SeverityUnknown) {
					return fmt.Errorf("--severity %q: want CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN", s)
				}
			}
			filter := matcher.Filter{Severities: severities, IgnoreUnfixed: ignoreUnfixed}
			if ignoreFile != "" {
				ids, err := matcher.ReadIgnoreFile(ignoreFile)
				if err != nil {
					return err
				}
				filter.IgnoreIDs = ids
			}
			if vexFile != "" {
				f, err := os.Open(vexFile)
				if err != nil {
					return fmt.Errorf("read VEX %s: %w", vexFile, err)
				}
				filter.VEX, err = matcher.ReadVEX(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("read VEX %s: %w", vexFile, err)
				}
			}
			db, err := vulndb.OpenReadOnly(vulnDBDir())
			if err != nil {
				return err
			}
			defer db.Close()
			if updated, err := db.Updated(); err == nil {
				warnIfOld(cmd.ErrOrStderr(), vulndb.Status{Updated: updated}, time.Now())
			}
			inv, err := inventoryOf(cmd.Context(), args[0], imageSrc)
			if err != nil {
				return err
			}
			findings, err := matcher.Match(inv, db)
			if err != nil {
				return err
			}
			coverage, err := matcher.Cover(inv, db)
			if err != nil {
				return err
			}
			kept, suppressed := filter.Apply(findings)
			res := &report.Scan{Source: args[0], Distro: inv.Distro, Packages: len(inv.Packages), Findings: kept, Suppressed: suppressed, Coverage: &coverage}
			err = withOutput(cmd.OutOrStdout(), output, func(w io.Writer) error {
				return report.WriteScan(w, res, format)
			})
			if err != nil {
				return err
			}
			if failOn != "" && matcher.AtOrAbove(kept, failOn) {
				rated := slices.ContainsFunc(kept, func(f matcher.Finding) bool {
					return vulndb.SeverityRank(f.Severity) >= vulndb.SeverityRank(failOn)
				})
				return exitstatus.New(1, findingsError{level: strings.ToUpper(failOn), unrated: !rated})
			}
			if failOn != "" && !allowUncovered && !coverage.Complete() {
				return exitstatus.New(1, findingsError{level: strings.ToUpper(failOn), gaps: len(coverage.Gaps())})
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "table", "output format: "+strings.Join(report.ScanFormats, ", "))
	f.StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	f.StringSliceVar(&severities, "severity", nil, "show only these severities (CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN)")
	f.BoolVar(&ignoreUnfixed, "ignore-unfixed", false, "hide findings that have no fixed version yet")
	f.StringVar(&failOn, "fail-on", "", "exit 1 when a finding is at or above this severity (or of UNKNOWN severity), or coverage is incomplete")
	f.BoolVar(&allowUncovered, "allow-uncovered", false, "let --fail-on pass a scan whose coverage is incomplete (the report still lists the gaps)")
	f.StringVar(&vexFile, "vex", "", "OpenVEX document whose not_affected and fixed statements suppress findings")
	f.StringVar(&imageSrc, "image-src", "", "read the image from ward's store or its registry only (store, registry); default: a path, else the store, else the registry")
	f.StringVar(&ignoreFile, "ignore-file", "", "file of advisory IDs or aliases to suppress, one per line")
	return cmd
}
