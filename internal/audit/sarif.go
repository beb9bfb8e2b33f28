package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/wardproject/ward/internal/sarif"
	"github.com/wardproject/ward/internal/workload"
)

// WriteSARIF writes the findings as a SARIF 2.1.0 log, the subset GitHub
// code scanning reads: rules with help and security-severity, results with
// a file and a line.
func WriteSARIF(w io.Writer, r *Report, rules []Rule) error {
	index := map[string]int{}
	driver := sarif.Driver{Name: "ward", InformationURI: strings.TrimSuffix(DocsBaseURL, "/") + "/docs/RULES.md"}
	for _, rule := range rules {
		index[rule.ID] = len(driver.Rules)
		var help strings.Builder
		help.WriteString(rule.Why + "\n\nHow to fix:\n")
		for _, k := range workload.Kinds {
			if fix, ok := rule.Fix[k]; ok {
				help.WriteString("- " + string(k) + ": " + fix + "\n")
			}
		}
		driver.Rules = append(driver.Rules, sarif.Rule{
			ID: rule.ID, Name: rule.Title,
			ShortDescription:     sarif.Text{Text: rule.Title},
			FullDescription:      &sarif.Text{Text: rule.Why},
			Help:                 &sarif.Text{Text: help.String(), Markdown: help.String()},
			HelpURI:              RuleURL(rule.ID),
			DefaultConfiguration: &sarif.Config{Level: sarif.Level(sarif.Rank(rule.Severity))},
			Properties: map[string]any{
				"tags":              []string{"security", string(rule.Checklist)},
				"security-severity": sarif.SecuritySeverity(sarif.Rank(rule.Severity)),
				"checklist":         string(rule.Checklist),
			},
		})
	}
	var results []sarif.Result
	for _, f := range r.Findings {
		results = append(results, sarif.Result{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarif.Level(sarif.Rank(f.Severity)),
			Message:             sarif.Text{Text: f.Resource + ": " + f.Message + ". Fix: " + f.Fix},
			Locations:           []sarif.Location{sarif.At(sarifURI(f.File), f.Line)},
			PartialFingerprints: map[string]string{"wardFinding/v1": Fingerprint(f)},
		})
	}
	return sarif.Write(w, sarif.Run{Tool: sarif.Tool{Driver: driver}, Results: results})
}

// sarifURI turns a path into the relative, slash-separated URI code
// scanning matches against the repository.
func sarifURI(p string) string {
	if filepath.IsAbs(p) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
				return filepath.ToSlash(rel)
			}
		}
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
	}
	return strings.TrimPrefix(filepath.ToSlash(filepath.Clean(p)), "./")
}

// Fingerprint identifies a finding across runs without its line number, so
// edits that move code do not make an accepted finding new again.
func Fingerprint(f Finding) string {
	h := sha256.Sum256([]byte(f.Rule + "\x00" + filepath.ToSlash(filepath.Clean(f.File)) + "\x00" + f.Resource + "\x00" + f.Message))
	return hex.EncodeToString(h[:8])
}
