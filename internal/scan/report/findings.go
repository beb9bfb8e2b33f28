package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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
	fmt.Fprintln(w)
	if len(s.Findings) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEVERITY\tID\tPACKAGE\tINSTALLED\tFIXED\tLAYER")
	for _, f := range s.Findings {
		fixed := f.FixedVersion
		if fixed == "" {
			fixed = "(no fix yet)"
		}
		id := f.ID
		if cve := firstCVE(f.Aliases); cve != "" && !strings.Contains(id, cve) {
			id += " (" + cve + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Severity, id, f.Package, f.InstalledVersion, fixed, shortDigest(f.Layer))
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

// SARIF 2.1.0, the subset code-scanning tools read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string         `json:"id"`
	ShortDescription sarifText      `json:"shortDescription"`
	Properties       map[string]any `json:"properties,omitempty"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
	} `json:"physicalLocation"`
}

func sarifLevel(severity string) string {
	switch vulndb.SeverityRank(severity) {
	case 4, 3:
		return "error"
	case 2:
		return "warning"
	}
	return "note"
}

func writeSARIF(w io.Writer, s *Scan) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: toolName, Rules: []sarifRule{}}}, Results: []sarifResult{}}
	seen := map[string]bool{}
	for _, f := range s.Findings {
		if !seen[f.ID] {
			seen[f.ID] = true
			desc := f.Summary
			if desc == "" {
				desc = f.ID
			}
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
				ID: f.ID, ShortDescription: sarifText{desc},
				Properties: map[string]any{"severity": f.Severity, "aliases": f.Aliases},
			})
		}
		msg := fmt.Sprintf("%s %s is affected by %s", f.Package, f.InstalledVersion, f.ID)
		if f.Fixed() {
			msg += "; fixed in " + f.FixedVersion
		} else {
			msg += "; no fix yet"
		}
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = f.Location
		run.Results = append(run.Results, sarifResult{RuleID: f.ID, Level: sarifLevel(f.Severity), Message: sarifText{msg}, Locations: []sarifLocation{loc}})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
