package inventory

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Unreadable is a file that looks like package data (a package database,
// a package manifest) but could not be parsed: what it lists is unknown.
type Unreadable struct {
	Path     string `json:"path"`
	Analyzer string `json:"analyzer"`
	Error    string `json:"error"`
}

// Unsupported is a file of a package ecosystem ward does not read (a
// Cargo.lock, a .jar without metadata, an rpm Packages file in a format
// ward cannot parse): packages may be there that no report lists.
type Unsupported struct {
	Path      string `json:"path"`
	Ecosystem string `json:"ecosystem"` // what the file belongs to: cargo, nuget, ...
}

// Unmatched is a package listed but not looked up: its name cannot be
// given to its ecosystem's advisories (a jar named by its file, without a
// Maven group).
type Unmatched struct {
	Path    string `json:"path"`
	Package string `json:"package"`
	Reason  string `json:"reason"`
}

// Coverage statuses: what became of a distribution or an ecosystem.
const (
	// CoverMatched: its packages were looked up in a database holding
	// advisories for it.
	CoverMatched = "matched"
	// CoverMatchable: ward knows where its advisories are published, but
	// no database was consulted (an SBOM).
	CoverMatchable = "matchable"
	// CoverNoAdvisories: ward knows the OSV ecosystem, but the database
	// holds no record of it, so nothing was matched.
	CoverNoAdvisories = "no-advisories"
	// CoverUnsupported: ward has no advisories for it at all.
	CoverUnsupported = "unsupported"
	// CoverNone: nothing of this kind was found (no distribution).
	CoverNone = "none"
)

// DistroCoverage says whether the distribution's advisories were consulted.
type DistroCoverage struct {
	ID        string `json:"id,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	// Ecosystem is the OSV ecosystem of its advisories, empty when there is
	// none ward knows.
	Ecosystem string `json:"ecosystem,omitempty"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
}

// EcosystemCoverage is one kind of package found, and whether it was matched.
type EcosystemCoverage struct {
	Type      Type   `json:"type"`
	Ecosystem string `json:"ecosystem,omitempty"` // OSV ecosystem looked up
	Packages  int    `json:"packages"`
	Status    string `json:"status"`
	Reason    string `json:"reason,omitempty"`
}

// Coverage is what a report could see and what it could not. A scan that
// is not Complete is not clean: something may be vulnerable that no
// advisory was compared with.
type Coverage struct {
	Distro      DistroCoverage      `json:"distro"`
	Ecosystems  []EcosystemCoverage `json:"ecosystems"`
	Unreadable  []Unreadable        `json:"unreadable"`
	Unsupported []Unsupported       `json:"unsupported"`
	Unmatched   []Unmatched         `json:"unmatched"`
}

// covered reports whether status leaves nothing unseen.
func covered(status string) bool {
	return status == CoverMatched || status == CoverMatchable || status == CoverNone
}

// Complete reports whether every distribution, ecosystem and package file
// found was read and (for a scan) matched.
func (c Coverage) Complete() bool { return len(c.Gaps()) == 0 }

// Gaps lists, one line each, what was not covered: the distribution, each
// ecosystem not matched, each unreadable or unsupported file.
func (c Coverage) Gaps() []string {
	var gaps []string
	if !covered(c.Distro.Status) {
		gaps = append(gaps, fmt.Sprintf("distribution %s: %s", c.Distro.Name(), c.Distro.Reason))
	}
	for _, e := range c.Ecosystems {
		if !covered(e.Status) {
			gaps = append(gaps, fmt.Sprintf("%s packages (%d): %s", e.Type, e.Packages, e.Reason))
		}
	}
	for _, u := range c.Unreadable {
		gaps = append(gaps, fmt.Sprintf("%s: unreadable %s data: %s", u.Path, u.Analyzer, u.Error))
	}
	for _, u := range c.Unsupported {
		gaps = append(gaps, fmt.Sprintf("%s: %s packages, which ward does not read", u.Path, u.Ecosystem))
	}
	for _, u := range c.Unmatched {
		gaps = append(gaps, fmt.Sprintf("%s: %s not matched: %s", u.Path, u.Package, u.Reason))
	}
	return gaps
}

// Name is the distribution as people say it: "debian 12", or "unknown".
func (d DistroCoverage) Name() string {
	if d.ID == "" {
		return "unknown"
	}
	return strings.TrimSpace(d.ID + " " + d.VersionID)
}

// Summary is one line: "covered: debian 12 (Debian:12), deb 87, golang 3"
// or the number of gaps.
func (c Coverage) Summary() string {
	var parts []string
	if c.Distro.Status != CoverNone {
		s := c.Distro.Name()
		if c.Distro.Ecosystem != "" {
			s += " (" + c.Distro.Ecosystem + ")"
		}
		parts = append(parts, s+" "+c.Distro.Status)
	}
	for _, e := range c.Ecosystems {
		parts = append(parts, fmt.Sprintf("%s %d %s", e.Type, e.Packages, e.Status))
	}
	if len(parts) == 0 {
		parts = append(parts, "no packages found")
	}
	line := strings.Join(parts, ", ")
	if g := len(c.Gaps()); g > 0 {
		return fmt.Sprintf("INCOMPLETE (%d gaps): %s", g, line)
	}
	return "complete: " + line
}

// SortEcosystems orders ecosystems by type for stable output.
func (c *Coverage) SortEcosystems() {
	sort.Slice(c.Ecosystems, func(i, j int) bool { return c.Ecosystems[i].Type < c.Ecosystems[j].Type })
}

// MarshalJSON adds what readers would otherwise compute: "complete", and
// "gaps", one line per gap as the text report prints them.
func (c Coverage) MarshalJSON() ([]byte, error) {
	type plain Coverage
	gaps := c.Gaps()
	if gaps == nil {
		gaps = []string{}
	}
	return json.Marshal(struct {
		Complete bool     `json:"complete"`
		Gaps     []string `json:"gaps"`
		plain
	}{len(gaps) == 0, gaps, plain(c)})
}
