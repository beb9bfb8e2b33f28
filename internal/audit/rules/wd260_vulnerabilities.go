package rules

import (
	"fmt"
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// KnownVulnerabilities reports an image's known vulnerabilities from ward's
// offline OSV database: one violation per severity, carrying that severity,
// so `--fail-on high` and `ward run --fail-on-vuln high` gate on the worst
// advisory while the report stays one line per severity, not per CVE
// (`ward scan IMAGE` lists each advisory).
var KnownVulnerabilities = audit.Rule{
	ID:        "WD260",
	Checklist: audit.ImageScan,
	Severity:  audit.High, // the table's nominal severity; each violation carries its own
	Title:     "Known vulnerabilities in the image's packages",
	Why:       "A package with a published advisory is the cheapest way in: exploits for known CVEs are public, and scanners on the attacker's side find them as fast as yours do. Rebuilding on an updated base fixes most of them.",
	Fix: map[workload.Kind]string{
		workload.KindImage:   "Rebuild on an updated base (`docker build --pull --no-cache`) or upgrade the named packages to their fixed versions; `ward scan IMAGE` lists every advisory with its fix.",
		workload.KindInspect: "Recreate the container from a rebuilt image (updated base, packages upgraded to their fixed versions); `ward scan IMAGE` lists every advisory with its fix.",
	},
	Equivalents: []string{"trivy image", "grype", "docker scout cves"},
	Check:       checkVulnerabilities,
}

// scanSeverities maps the database's severities to the checklist's, worst
// first. An advisory nobody rated may be the worst of all: as in trivy,
// UNKNOWN reaches every threshold, so it is reported as critical (the
// message says it is unrated).
var scanSeverities = []struct {
	name string
	sev  audit.Severity
}{
	{"CRITICAL", audit.Critical}, {"UNKNOWN", audit.Critical}, {"HIGH", audit.High}, {"MEDIUM", audit.Medium}, {"LOW", audit.Low},
}

// VulnerabilitySeverity maps a database severity (CRITICAL..LOW, UNKNOWN)
// to the checklist's.
func VulnerabilitySeverity(s string) audit.Severity {
	for _, m := range scanSeverities {
		if m.name == strings.ToUpper(s) {
			return m.sev
		}
	}
	return audit.Critical // unrated: see scanSeverities
}

// maxAdvisories bounds the advisories one message names.
const maxAdvisories = 5

func checkVulnerabilities(w *workload.Workload, s audit.Settings) []audit.Violation {
	if w.Content == nil || w.Content.Scan == nil {
		return nil
	}
	var out []audit.Violation
	for _, m := range scanSeverities {
		if m.sev < s.MinVulnSeverity {
			continue
		}
		var vs []workload.Vulnerability
		for _, v := range w.Content.Scan.Vulnerabilities {
			if strings.EqualFold(v.Severity, m.name) || m.name == "UNKNOWN" && !knownSeverity(v.Severity) {
				vs = append(vs, v)
			}
		}
		if len(vs) == 0 {
			continue
		}
		fixed := 0
		var named []string
		for _, v := range vs {
			if v.FixedVersion != "" {
				fixed++
			}
			if len(named) < maxAdvisories {
				s := v.ID + " in " + v.Package + " " + v.InstalledVersion
				if v.FixedVersion != "" {
					s += " (fixed in " + v.FixedVersion + ")"
				}
				named = append(named, s)
			}
		}
		label := strings.ToLower(m.name)
		if m.name == "UNKNOWN" {
			label = "unrated (UNKNOWN severity, counted as critical)"
		}
		msg := fmt.Sprintf("%d %s vulnerabilities (%d with a fix): %s", len(vs), label, fixed, join(named))
		if len(vs) > len(named) {
			msg += fmt.Sprintf(" and %d more", len(vs)-len(named))
		}
		sev := m.sev
		out = append(out, audit.Violation{Message: msg, Severity: &sev})
	}
	return out
}

func knownSeverity(s string) bool {
	switch strings.ToUpper(s) {
	case "CRITICAL", "HIGH", "MEDIUM", "LOW":
		return true
	}
	return false
}
