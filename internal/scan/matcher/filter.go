package matcher

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/scan/vulndb"
)

// Suppressed is a finding a VEX statement or an ignore file removed, and why.
type Suppressed struct {
	Finding
	Reason string `json:"reason"`
}

// Filter removes findings the user asked not to see.
type Filter struct {
	Severities    []string // keep only these (empty: all)
	IgnoreUnfixed bool     // drop findings without a fixed version
	IgnoreIDs     []string // advisory IDs or aliases to drop
	VEX           []VEXStatement
}

// Apply splits findings into those kept and those suppressed by VEX or the
// ignore list. Severity and unfixed filtering drop findings silently: they
// are views, not judgements.
func (f Filter) Apply(findings []Finding) (kept []Finding, suppressed []Suppressed) {
	kept = []Finding{}
	for _, fd := range findings {
		if len(f.Severities) > 0 && !slices.ContainsFunc(f.Severities, func(s string) bool { return strings.EqualFold(s, fd.Severity) }) {
			continue
		}
		if f.IgnoreUnfixed && !fd.Fixed() {
			continue
		}
		if id, ok := matchesAny(fd, f.IgnoreIDs); ok {
			suppressed = append(suppressed, Suppressed{fd, "ignored by ignore file entry " + id})
			continue
		}
		if st, ok := f.vexFor(fd); ok {
			suppressed = append(suppressed, Suppressed{fd, st.reason()})
			continue
		}
		kept = append(kept, fd)
	}
	return kept, suppressed
}

// names lists the advisory ID and its aliases.
func (f Finding) names() []string { return append([]string{f.ID}, f.Aliases...) }

func matchesAny(fd Finding, ids []string) (string, bool) {
	for _, id := range ids {
		if slices.Contains(fd.names(), id) {
			return id, true
		}
	}
	return "", false
}

// ReadIgnoreFile reads advisory IDs, one per line; '#' starts a comment.
func ReadIgnoreFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read ignore file %s: %w", path, err)
	}
	defer f.Close()
	var ids []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if id := strings.TrimSpace(line); id != "" {
			ids = append(ids, id)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read ignore file %s: %w", path, err)
	}
	return ids, nil
}

// VEXStatement is one OpenVEX statement (openvex.dev spec v0.2.0; the
// v0.0.x form with plain strings is accepted too).
type VEXStatement struct {
	Vulnerability   []string // name and aliases
	Products        []vexProduct
	Status          string // not_affected, affected, fixed, under_investigation
	Justification   string
	ImpactStatement string
}

type vexProduct struct {
	ID            string
	Subcomponents []string
}

func (s VEXStatement) reason() string {
	r := "VEX " + s.Status
	if s.Justification != "" {
		r += ": " + s.Justification
	}
	if s.ImpactStatement != "" {
		r += " (" + s.ImpactStatement + ")"
	}
	return r
}

// vexFor returns the statement that clears fd, if any: not_affected or
// fixed, naming the advisory or an alias, for fd's package or the image.
func (f Filter) vexFor(fd Finding) (VEXStatement, bool) {
	for _, st := range f.VEX {
		if st.Status != "not_affected" && st.Status != "fixed" {
			continue
		}
		if !slices.ContainsFunc(st.Vulnerability, func(v string) bool { return slices.Contains(fd.names(), v) }) {
			continue
		}
		if len(st.Products) == 0 {
			return st, true
		}
		for _, p := range st.Products {
			if len(p.Subcomponents) > 0 {
				if slices.ContainsFunc(p.Subcomponents, func(s string) bool { return samePackage(s, fd.PURL) }) {
					return st, true
				}
				continue
			}
			// A product that is an image (or the finding's own package)
			// covers the finding.
			if samePackage(p.ID, fd.PURL) || strings.HasPrefix(p.ID, "pkg:oci/") || strings.HasPrefix(p.ID, "pkg:docker/") {
				return st, true
			}
		}
	}
	return VEXStatement{}, false
}

// samePackage compares purls, ignoring qualifiers a VEX author may omit;
// a purl without a version covers every version.
func samePackage(vexPURL, findingPURL string) bool {
	a, _, _ := strings.Cut(vexPURL, "?")
	b, _, _ := strings.Cut(findingPURL, "?")
	if a == b {
		return true
	}
	if !strings.Contains(a, "@") {
		name, _, _ := strings.Cut(b, "@")
		return a == name
	}
	return false
}

// ReadVEX parses an OpenVEX document.
func ReadVEX(r io.Reader) ([]VEXStatement, error) {
	var doc struct {
		Statements []struct {
			Vulnerability   json.RawMessage   `json:"vulnerability"`
			Products        []json.RawMessage `json:"products"`
			Status          string            `json:"status"`
			Justification   string            `json:"justification"`
			ImpactStatement string            `json:"impact_statement"`
		} `json:"statements"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse OpenVEX document: %w", err)
	}
	var out []VEXStatement
	for i, s := range doc.Statements {
		st := VEXStatement{Status: s.Status, Justification: s.Justification, ImpactStatement: s.ImpactStatement}
		var name string
		var vuln struct {
			ID      string   `json:"@id"`
			Name    string   `json:"name"`
			Aliases []string `json:"aliases"`
		}
		if json.Unmarshal(s.Vulnerability, &name) == nil {
			st.Vulnerability = []string{name}
		} else if json.Unmarshal(s.Vulnerability, &vuln) == nil {
			st.Vulnerability = append([]string{vuln.Name}, vuln.Aliases...)
		} else {
			return nil, fmt.Errorf("parse OpenVEX statement %d: bad vulnerability", i)
		}
		for _, raw := range s.Products {
			var id string
			var prod struct {
				ID            string `json:"@id"`
				Subcomponents []struct {
					ID string `json:"@id"`
				} `json:"subcomponents"`
			}
			if json.Unmarshal(raw, &id) == nil {
				st.Products = append(st.Products, vexProduct{ID: id})
				continue
			}
			if err := json.Unmarshal(raw, &prod); err != nil {
				return nil, fmt.Errorf("parse OpenVEX statement %d: bad product: %w", i, err)
			}
			p := vexProduct{ID: prod.ID}
			for _, sc := range prod.Subcomponents {
				p.Subcomponents = append(p.Subcomponents, sc.ID)
			}
			st.Products = append(st.Products, p)
		}
		out = append(out, st)
	}
	return out, nil
}

// AtOrAbove reports whether any finding has severity at or above level,
// or no known severity at all.
func AtOrAbove(findings []Finding, level string) bool {
	min := vulndb.SeverityRank(level)
	for _, f := range findings {
		// UNKNOWN is not "below the threshold": nobody rated it, so it may
		// be the worst. As trivy, only --severity leaving UNKNOWN out (the
		// filter, before this) lets it through.
		if r := vulndb.SeverityRank(f.Severity); r >= min || r == 0 {
			return true
		}
	}
	return false
}
