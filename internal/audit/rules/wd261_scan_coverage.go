package rules

import (
	"fmt"
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// ScanCoverage reports an image whose vulnerability scan could not see
// everything: a distribution ward has no advisories for, an ecosystem the
// database lacks, package files it could not read. No finding there is
// not "no vulnerability", so the scan is not a clean bill unless the user
// accepts the gaps (--allow-uncovered). Its violations carry critical
// severity so that every --fail-on and --fail-on-vuln level fails.
var ScanCoverage = audit.Rule{
	ID:        "WD261",
	Checklist: audit.ImageScan,
	Severity:  audit.Critical,
	Title:     "Vulnerability scan incomplete: packages no advisory was compared with",
	Why:       "A scanner that finds nothing where it could not look reports a false \"clean\": an Ubuntu image scanned without Ubuntu's advisories, node_modules or an rpm database it could not read, all pass. Until the gaps are closed (import the missing advisories) or accepted, nobody knows whether the image is vulnerable.",
	Fix: map[workload.Kind]string{
		workload.KindImage:   "Import the advisories the report names (`ward db update --ecosystem ECOSYSTEM` or `ward db import`), or accept the gaps knowingly with `--allow-uncovered`; `ward scan IMAGE` lists the coverage.",
		workload.KindInspect: "Import the advisories the report names (`ward db update --ecosystem ECOSYSTEM`), or accept the gaps knowingly with `--allow-uncovered`; `ward scan IMAGE` lists the coverage.",
	},
	Equivalents: []string{"trivy: \"OS is not detected\" / unsupported OS warnings", "grype: unknown distro warning"},
	Check:       checkScanCoverage,
}

// maxGaps bounds the gaps one message names.
const maxGaps = 3

func checkScanCoverage(w *workload.Workload, s audit.Settings) []audit.Violation {
	if s.AllowUncovered || w.Content == nil || w.Content.Scan == nil || len(w.Content.Scan.Gaps) == 0 {
		return nil
	}
	gaps := w.Content.Scan.Gaps
	named := gaps[:min(len(gaps), maxGaps)]
	msg := fmt.Sprintf("%d coverage gaps: %s", len(gaps), strings.Join(named, "; "))
	if len(gaps) > len(named) {
		msg += fmt.Sprintf(" and %d more", len(gaps)-len(named))
	}
	return []audit.Violation{{Message: msg}}
}
