package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/wardproject/ward/internal/sarif"
	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// ScanFormats lists the formats WriteScan accepts.
var ScanFormats = []string{"table", "json", "sarif"}

// Scan is the result of one `ward scan`.
type Scan struct {
	Source     string               `json:"source"`
	Distro     inventory.Distro     `json:"distro"`
	Packages   int                  `json:"packages"`
	Findings   []matcher.Finding    `json:"findings"`
	Suppressed []matcher.Suppressed `json:"suppressed,omitempty"`
	// Coverage says what the findings are about: no finding where nothing
	// was matched is not "clean".
	Coverage *inventory.Coverage `json:"coverage"`
}

// WriteScan writes s to w in format.
func WriteScan(w io.Writer, s *Scan, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	case "table":
		return writeScanTable(w, s)
	case "sarif":
		return writeSARIF(w, s)
	}
	return fmt.Errorf("unknown scan format %q (want one of %s)", format, strings.Join(ScanFormats, ", "))
}

func writeScanTable(w io.Writer, s *Scan) error {
	counts := map[string]int{}
	unfixed := 0
	for _, f := range s.Findings {
		counts[f.Severity]++
		if !f.Fixed() {
			unfixed++
		}
	}
	fmt.Fprintf(w, "%s (%s %s): %d packages, %d findings (", s.Source, s.Distro.ID, s.Distro.VersionID, s.Packages, len(s.Findings))
	var parts []string
	for _, sev := range []string{vulndb.SeverityCritical, vulndb.SeverityHigh, vulndb.SeverityMedium, vulndb.SeverityLow, vulndb.SeverityUnknown} {
		parts = append(parts, fmt.Sprintf("%s: %d", sev, counts[sev]))
	}
	fmt.Fprintf(w, "%s), %d without a fix", strings.Join(parts, ", "), unfixed)
	if len(s.Suppressed) > 0 {
		fmt.Fprintf(w, ", %d suppressed", len(s.Suppressed))
	}
	if s.Coverage != nil && !s.Coverage.Complete() {
		fmt.Fprint(w, "; not clean where not covered, see below")
	}
	fmt.Fprintln(w)
	writeCoverageText(w, s.Coverage)
	if len(s.Findings) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tID\tPACKAGE\tINSTALLED\tFIXED\tLAYER\tLINK")
	for _, f := range s.Findings {
		fixed := f.FixedVersion
		if fixed == "" {
			fixed = "(no fix yet)"
		}
		id := f.ID
		if cve := firstCVE(f.Aliases); cve != "" && !strings.Contains(id, cve) {
			id += " (" + cve + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Severity, id, f.Package, f.InstalledVersion, fixed, shortDigest(f.Layer), f.Link)
	}
	return tw.Flush()
}

func firstCVE(aliases []string) string {
	for _, a := range aliases {
		if strings.HasPrefix(a, "CVE-") {
			return a
		}
	}
	return ""
}

func writeSARIF(w io.Writer, s *Scan) error {
	driver := sarif.Driver{Name: toolName}
	index := map[string]int{}
	var results []sarif.Result
	for _, f := range s.Findings {
		rank := sarif.Rank(vulndb.SeverityRank(f.Severity))
		if _, ok := index[f.ID]; !ok {
			index[f.ID] = len(driver.Rules)
			desc := f.Summary
			if desc == "" {
				desc = f.ID
			}
			props := map[string]any{"severity": f.Severity, "aliases": f.Aliases,
				"security-severity": sarif.SecuritySeverity(rank)}
			if len(f.CVSS) > 0 {
				props["cvss"] = f.CVSS
			}
			if len(f.References) > 0 {
				props["references"] = f.References
			}
			if !f.Published.IsZero() {
				props["published"] = f.Published
			}
			if !f.Modified.IsZero() {
				props["modified"] = f.Modified
			}
			driver.Rules = append(driver.Rules, sarif.Rule{
				ID: f.ID, ShortDescription: sarif.Text{Text: desc}, HelpURI: f.Link, Properties: props,
			})
		}
		msg := fmt.Sprintf("%s %s is affected by %s", f.Package, f.InstalledVersion, f.ID)
		if f.Fixed() {
			msg += "; fixed in " + f.FixedVersion
		} else {
			msg += "; no fix yet"
		}
		results = append(results, sarif.Result{RuleID: f.ID, RuleIndex: index[f.ID], Level: sarif.Level(rank),
			Message: sarif.Text{Text: msg}, Locations: []sarif.Location{sarif.At(f.Location, 0)}})
	}
	run := sarif.Run{Tool: sarif.Tool{Driver: driver}, Results: results}
	coverageSARIF(&run, s.Coverage, s.Source)
	return sarif.Write(w, run)
}
