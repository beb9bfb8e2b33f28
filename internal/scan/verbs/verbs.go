// Package verbs runs ward sbom, ward scan and ward db over the scan
// pipeline (see package scan): cmd/ward-audit declares their flags and
// calls one function per verb. Their exit statuses are trivy's: an error
// of SBOM or Scan carrying ExitCode 1 is a finding at or above --fail-on
// (or coverage that is not complete); any other is a usage or input error.
package verbs

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/jsonout"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/scan/analyzer"
	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/scan/report"
	"github.com/wardproject/ward/internal/scan/target"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// SBOMOptions are ward sbom's flags.
type SBOMOptions struct {
	Format string
	Output string // a file, written whole or not at all; "" for stdout
	From   string // --image-src (package target)
}

// SBOM writes the packages installed in what name names (package target).
func SBOM(ctx context.Context, stdout io.Writer, root rootdir.Layout, name string, o SBOMOptions) error {
	inv, err := inventoryOf(ctx, root, name, o.From)
	if err != nil {
		return err
	}
	coverage, err := matcher.Cover(inv, nil)
	if err != nil {
		return err
	}
	inv.Coverage = &coverage
	return withOutput(stdout, o.Output, func(w io.Writer) error {
		return report.WriteSBOM(w, inv, o.Format, time.Now())
	})
}

// ScanOptions are ward scan's flags.
type ScanOptions struct {
	Format, Output, From string
	// FailOn is the level at or above which a finding (or a finding of
	// UNKNOWN severity, or incomplete coverage unless AllowUncovered)
	// fails the scan with status 1.
	FailOn         string
	AllowUncovered bool
	Severities     []string
	IgnoreUnfixed  bool
	VEXFile        string
	IgnoreFile     string
}

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

// Scan reports the advisories of the vulnerability database under root
// that affect the packages of what name names; warnings go to stderr.
func Scan(ctx context.Context, stdout, stderr io.Writer, root rootdir.Layout, name string, o ScanOptions) error {
	if o.FailOn != "" && vulndb.SeverityRank(o.FailOn) == 0 {
		return fmt.Errorf("--fail-on %q: want CRITICAL, HIGH, MEDIUM or LOW", o.FailOn)
	}
	for _, s := range o.Severities {
		if vulndb.SeverityRank(s) == 0 && !strings.EqualFold(s, vulndb.SeverityUnknown) {
			return fmt.Errorf("--severity %q: want CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN", s)
		}
	}
	filter := matcher.Filter{Severities: o.Severities, IgnoreUnfixed: o.IgnoreUnfixed}
	if o.IgnoreFile != "" {
		ids, err := matcher.ReadIgnoreFile(o.IgnoreFile)
		if err != nil {
			return err
		}
		filter.IgnoreIDs = ids
	}
	if o.VEXFile != "" {
		f, err := os.Open(o.VEXFile)
		if err != nil {
			return fmt.Errorf("read VEX %s: %w", o.VEXFile, err)
		}
		filter.VEX, err = matcher.ReadVEX(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("read VEX %s: %w", o.VEXFile, err)
		}
	}
	db, err := vulndb.OpenReadOnly(root.VulnDB())
	if err != nil {
		return err
	}
	defer db.Close()
	if updated, err := db.Updated(); err == nil {
		WarnIfOld(stderr, vulndb.Status{Updated: updated}, time.Now())
	}
	inv, err := inventoryOf(ctx, root, name, o.From)
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
	res := &report.Scan{Source: name, Distro: inv.Distro, Packages: len(inv.Packages), Findings: kept, Suppressed: suppressed, Coverage: &coverage}
	err = withOutput(stdout, o.Output, func(w io.Writer) error {
		return report.WriteScan(w, res, o.Format)
	})
	if err != nil {
		return err
	}
	if o.FailOn != "" && matcher.AtOrAbove(kept, o.FailOn) {
		rated := slices.ContainsFunc(kept, func(f matcher.Finding) bool {
			return vulndb.SeverityRank(f.Severity) >= vulndb.SeverityRank(o.FailOn)
		})
		return exitstatus.New(1, findingsError{level: strings.ToUpper(o.FailOn), unrated: !rated})
	}
	if o.FailOn != "" && !o.AllowUncovered && !coverage.Complete() {
		return exitstatus.New(1, findingsError{level: strings.ToUpper(o.FailOn), gaps: len(coverage.Gaps())})
	}
	return nil
}

// inventoryOf runs every analyzer over the directory, archive or image
// that name names.
func inventoryOf(ctx context.Context, root rootdir.Layout, name, from string) (*inventory.Inventory, error) {
	src, err := target.Open(ctx, root, name, from)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return analyzer.Run(src, name, analyzer.All())
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

// dirOf is the directory of path, where its temporary file is made (so
// the rename stays on one filesystem).
func dirOf(path string) string {
	if i := strings.LastIndex(path, "/"); i >= 0 {
		return path[:i+1]
	}
	return "."
}

// DBMaxAge is the age past which the database warns that it is stale; an
// old database still works, it only may miss recent advisories.
const DBMaxAge = 7 * 24 * time.Hour

// WarnIfOld prints a warning when the database is older than DBMaxAge.
func WarnIfOld(w io.Writer, st vulndb.Status, now time.Time) {
	if age := st.Age(now); age > DBMaxAge {
		fmt.Fprintf(w, "warning: vulnerability database last updated %s ago (%s); run `ward db update`\n",
			age.Round(time.Hour), st.Updated.Format(time.RFC3339))
	}
}

// DBImport imports OSV records (JSON files, directories, all.zip dumps)
// into the database under root, saying what each path brought.
func DBImport(stdout io.Writer, root rootdir.Layout, paths []string) error {
	db, err := vulndb.Open(root.VulnDB())
	if err != nil {
		return err
	}
	defer db.Close()
	for _, p := range paths {
		info, err := db.Import(p, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "imported %d records from %s\n", info.Records, info.Name)
	}
	return nil
}

// DBUpdateOptions are ward db update's flags.
type DBUpdateOptions struct {
	From       string // a mirror of osv.dev's bucket, or one .zip
	Ecosystems []string
	Timeout    time.Duration
}

// DBUpdate downloads the ecosystems' dumps from the mirror o names and
// imports them into the database under root.
func DBUpdate(ctx context.Context, stdout, stderr io.Writer, root rootdir.Layout, o DBUpdateOptions) error {
	if o.From == "" {
		return fmt.Errorf("db update: --from URL is required (ward downloads only from a mirror you name)")
	}
	db, err := vulndb.Open(root.VulnDB())
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	results, err := db.Update(ctx, http.DefaultClient, o.From, o.Ecosystems, time.Now())
	for _, r := range results {
		switch {
		case r.NotFound:
			fmt.Fprintf(stderr, "warning: %s: not on the mirror\n", r.URL)
		case r.Unchanged:
			fmt.Fprintf(stdout, "%s: unchanged\n", r.URL)
		case r.Records > 0:
			fmt.Fprintf(stdout, "imported %d records from %s\n", r.Records, r.URL)
		}
	}
	return err
}

// DBStatus writes what the database under root holds and how old it is,
// as a table or (format "json") a JSON document; a stale database is
// warned about on stderr.
func DBStatus(stdout, stderr io.Writer, root rootdir.Layout, format string) error {
	db, err := vulndb.OpenReadOnly(root.VulnDB())
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Status()
	if err != nil {
		return err
	}
	WarnIfOld(stderr, st, time.Now())
	if format == "json" {
		return jsonout.Write(stdout, st)
	}
	return writeDBStatus(stdout, st, time.Now())
}

func writeDBStatus(w io.Writer, st vulndb.Status, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "database:\t%s\n", st.Path)
	fmt.Fprintf(tw, "records:\t%d\n", st.Records)
	if !st.Updated.IsZero() {
		fmt.Fprintf(tw, "updated:\t%s (%s ago)\n", st.Updated.Format(time.RFC3339), st.Age(now).Round(time.Minute))
	}
	if !st.Newest.IsZero() {
		fmt.Fprintf(tw, "newest record:\t%s\n", st.Newest.Format(time.RFC3339))
	}
	ecos := make([]string, 0, len(st.Ecosystems))
	for e := range st.Ecosystems {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)
	for _, e := range ecos {
		fmt.Fprintf(tw, "ecosystem %s:\t%d package entries\n", e, st.Ecosystems[e])
	}
	for _, s := range st.Sources {
		fmt.Fprintf(tw, "source:\t%s (%d records, %s)\n", s.Name, s.Records, s.ImportedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}
