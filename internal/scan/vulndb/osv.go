// Package vulndb keeps OSV vulnerability records in an embedded bbolt
// database under ward's root, indexed by ecosystem and package name, so a
// scan needs no network at all.
package vulndb

import (
	"encoding/json"
	"strings"
	"time"
)

// Vulnerability is the part of an OSV record (ossf.github.io/osv-schema)
// that matching and reporting use.
type Vulnerability struct {
	ID               string          `json:"id"`
	Modified         time.Time       `json:"modified"`
	Published        time.Time       `json:"published,omitempty"`
	Withdrawn        *time.Time      `json:"withdrawn,omitempty"`
	Aliases          []string        `json:"aliases,omitempty"`
	Upstream         []string        `json:"upstream,omitempty"`
	Summary          string          `json:"summary,omitempty"`
	Details          string          `json:"details,omitempty"`
	Severity         []Severity      `json:"severity,omitempty"`
	Affected         []Affected      `json:"affected,omitempty"`
	References       []Reference     `json:"references,omitempty"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

// Reference is a link a record gives: ADVISORY, FIX, REPORT, WEB...
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Severity is a scored severity, e.g. {"type":"CVSS_V3","score":"CVSS:3.1/AV:N/..."}.
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected names one package and the versions of it a record affects.
type Affected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
		PURL      string `json:"purl,omitempty"`
	} `json:"package"`
	Ranges            []Range         `json:"ranges,omitempty"`
	Versions          []string        `json:"versions,omitempty"`
	Severity          []Severity      `json:"severity,omitempty"`
	EcosystemSpecific json.RawMessage `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  json.RawMessage `json:"database_specific,omitempty"`
}

// Range is a list of events in one version scheme (ECOSYSTEM, SEMVER, GIT).
type Range struct {
	Type   string  `json:"type"`
	Events []Event `json:"events"`
}

// Event is one of introduced, fixed, last_affected or limit.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Advisory is what the index keeps for one (ecosystem, package, record):
// enough to match and report without reading the whole record.
type Advisory struct {
	ID       string     `json:"id"`
	Aliases  []string   `json:"aliases,omitempty"`
	Summary  string     `json:"summary,omitempty"`
	Severity string     `json:"severity"`
	Affected []Affected `json:"affected"` // only the entries for this package
	// What a report shows beside the finding: the record's CVSS vectors,
	// its references (at most maxReferences), and its dates.
	CVSS       []Severity `json:"cvss,omitempty"`
	References []string   `json:"references,omitempty"`
	Published  time.Time  `json:"published,omitzero"`
	Modified   time.Time  `json:"modified,omitzero"`
}

// maxReferences bounds the references kept per advisory in the index.
const maxReferences = 8

// URL is the advisory's page on osv.dev.
func (a Advisory) URL() string { return "https://osv.dev/vulnerability/" + a.ID }

// Severity levels, from most to least serious.
const (
	SeverityCritical = "CRITICAL"
	SeverityHigh     = "HIGH"
	SeverityMedium   = "MEDIUM"
	SeverityLow      = "LOW"
	SeverityUnknown  = "UNKNOWN"
)

// SeverityRank orders severities: higher is more serious, UNKNOWN is 0.
func SeverityRank(s string) int {
	switch strings.ToUpper(s) {
	case SeverityCritical:
		return 4
	case SeverityHigh:
		return 3
	case SeverityMedium, "MODERATE":
		return 2
	case SeverityLow, "NEGLIGIBLE", "UNIMPORTANT":
		return 1
	}
	return 0
}

// severityName is the inverse of SeverityRank.
func severityName(rank int) string {
	return [...]string{SeverityUnknown, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}[rank]
}

// recordSeverity picks one severity for a record: a rating the source
// states (GitHub's database_specific.severity, a distribution's priority)
// first, then the highest CVSS v3 base score.
func recordSeverity(v *Vulnerability, affected []Affected) string {
	var stated struct {
		Severity string `json:"severity"`
		Urgency  string `json:"urgency"`
		Priority string `json:"ubuntu_priority"`
	}
	try := func(raw json.RawMessage) string {
		stated.Severity, stated.Urgency, stated.Priority = "", "", ""
		if len(raw) == 0 || json.Unmarshal(raw, &stated) != nil {
			return ""
		}
		for _, s := range []string{stated.Severity, stated.Priority, stated.Urgency} {
			if r := SeverityRank(s); r > 0 {
				return severityName(r)
			}
		}
		return ""
	}
	if s := try(v.DatabaseSpecific); s != "" {
		return s
	}
	for _, a := range affected {
		if s := try(a.DatabaseSpecific); s != "" {
			return s
		}
		if s := try(a.EcosystemSpecific); s != "" {
			return s
		}
	}
	// The newest CVSS version the source chose to publish decides: a v2
	// score alone has no "critical" band, and v3 and v4 may disagree.
	best := map[string]int{}
	scores := append([]Severity(nil), v.Severity...)
	for _, a := range affected {
		scores = append(scores, a.Severity...)
	}
	for _, s := range scores {
		switch s.Type {
		case "CVSS_V2", "CVSS_V3", "CVSS_V4":
			if score, err := CVSSBaseScore(s.Score); err == nil {
				best[s.Type] = max(best[s.Type], cvssRank(score, s.Type == "CVSS_V2"))
			}
		case "Ubuntu":
			best["Ubuntu"] = max(best["Ubuntu"], SeverityRank(s.Score))
		}
	}
	for _, t := range []string{"Ubuntu", "CVSS_V4", "CVSS_V3", "CVSS_V2"} {
		if r, ok := best[t]; ok && r > 0 {
			return severityName(r)
		}
	}
	return SeverityUnknown
}
