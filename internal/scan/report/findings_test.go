package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/sarif"
	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/matcher"
)

func sampleScan() *Scan {
	fs := []matcher.Finding{
		{ID: "DEBIAN-CVE-2005-2541", Aliases: []string{"CVE-2005-2541"}, Package: "tar", InstalledVersion: "1.34+dfsg-1.2", Severity: "UNKNOWN", Location: "var/lib/dpkg/status"},
		{ID: "GO-2024-2687", Aliases: []string{"CVE-2023-45288"}, Package: "stdlib", InstalledVersion: "go1.21.5", FixedVersion: "1.21.9", Severity: "HIGH", Layer: "sha256:" + strings.Repeat("0", 64), Location: "usr/bin/app"},
		{ID: "DEBIAN-CVE-2022-48174", Aliases: []string{"CVE-2022-48174"}, Package: "busybox", InstalledVersion: "1:1.35.0-4", FixedVersion: "1:1.35.0-4+deb12u1", Severity: "CRITICAL", Location: "var/lib/dpkg/status"},
	}
	matcher.Sort(fs)
	return &Scan{Source: "test", Distro: inventory.Distro{ID: "debian", VersionID: "12"}, Packages: 3, Findings: fs}
}

func TestScanJSONFields(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteScan(&buf, sampleScan(), "json"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 3 {
		t.Fatalf("%d findings, want 3", len(doc.Findings))
	}
	for _, f := range doc.Findings {
		for _, field := range []string{"id", "aliases", "package", "installedVersion", "fixedVersion", "severity", "layer"} {
			if _, ok := f[field]; !ok {
				t.Errorf("finding %v lacks %q", f["id"], field)
			}
		}
	}
}

func TestScanTableSortedBySeverity(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteScan(&buf, sampleScan(), "table"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	c, h, u := strings.Index(out, "\nCRITICAL"), strings.Index(out, "\nHIGH"), strings.Index(out, "\nUNKNOWN")
	if c < 0 || h < 0 || u < 0 || !(c < h && h < u) {
		t.Errorf("rows not sorted by severity:\n%s", out)
	}
	if !strings.Contains(out, "(no fix yet)") || !strings.Contains(out, "1 without a fix") {
		t.Errorf("unfixed findings not told apart:\n%s", out)
	}
}

func TestScanSARIF(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteScan(&buf, sampleScan(), "sarif"); err != nil {
		t.Fatal(err)
	}
	var log sarif.Log
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) != 3 || len(log.Runs[0].Tool.Driver.Rules) != 3 {
		t.Fatalf("unexpected SARIF shape: %s", buf.String())
	}
	levels := map[string]string{}
	for _, r := range log.Runs[0].Results {
		levels[r.RuleID] = r.Level
	}
	if levels["DEBIAN-CVE-2022-48174"] != "error" || levels["DEBIAN-CVE-2005-2541"] != "note" {
		t.Errorf("levels %v", levels)
	}
}
