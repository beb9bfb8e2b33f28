// Package matcher decides which advisories affect the packages of an
// inventory, using each distribution's own version ordering.
package matcher

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// Finding is one advisory affecting one installed package.
type Finding struct {
	ID               string   `json:"id"`
	Aliases          []string `json:"aliases"`
	Package          string   `json:"package"`
	PackageType      string   `json:"packageType"`
	InstalledVersion string   `json:"installedVersion"`
	FixedVersion     string   `json:"fixedVersion"` // empty when no fix exists yet
	Severity         string   `json:"severity"`
	Layer            string   `json:"layer"`
	PURL             string   `json:"purl"`
	Location         string   `json:"location"`
	Ecosystem        string   `json:"ecosystem"`
	// SourcePackage is the name advisories were looked up by (Debian's
	// source package), when it differs from Package.
	SourcePackage string `json:"sourcePackage,omitempty"`
	Summary       string `json:"summary,omitempty"`
	// Link is the advisory's page; References, CVSS and the dates come
	// from the record.
	Link       string            `json:"link"`
	References []string          `json:"references,omitempty"`
	CVSS       []vulndb.Severity `json:"cvss,omitempty"`
	Published  time.Time         `json:"published,omitzero"`
	Modified   time.Time         `json:"modified,omitzero"`
}

// Fixed reports whether a fixed version exists.
func (f Finding) Fixed() bool { return f.FixedVersion != "" }

// AdvisorySource is where advisories come from: the vulnerability
// database, or a fake in tests.
type AdvisorySource interface {
	Advisories(ecosystem, name string) ([]vulndb.Advisory, error)
	// The ecosystems it holds tell a scan's coverage (Cover).
	EcosystemIndex
}

// AliasRater rates an advisory that states no severity by its aliases'
// records (a GO- record by its GHSA or CVE), as vulndb.DB does.
type AliasRater interface {
	AliasSeverity(aliases []string) (string, error)
}

// Match returns every finding for inv, sorted by severity then package.
// An advisory without a severity takes its aliases' when src can rate
// them (AliasRater); else it stays UNKNOWN, which gates as the worst.
func Match(inv *inventory.Inventory, src AdvisorySource) ([]Finding, error) {
	findings := []Finding{}
	rater, _ := src.(AliasRater)
	rated := map[string]string{}            // advisory ID -> severity from aliases
	cache := map[string][]vulndb.Advisory{} // binary packages share sources
	for _, p := range inv.Packages {
		q, ok := queryFor(p, inv.Distro)
		if !ok {
			continue
		}
		seen := map[string]bool{}
		for _, eco := range q.ecosystems {
			key := eco + "\x00" + q.name
			advs, ok := cache[key]
			if !ok {
				var err error
				if advs, err = src.Advisories(eco, q.name); err != nil {
					return nil, fmt.Errorf("advisories for %s %s: %w", eco, q.name, err)
				}
				cache[key] = advs
			}
			for _, adv := range advs {
				if seen[adv.ID] {
					continue
				}
				affected, fixed := Affects(adv, q.version, q.cmp, q.rangeType)
				if !affected {
					continue
				}
				seen[adv.ID] = true
				if adv.Severity == vulndb.SeverityUnknown && rater != nil && len(adv.Aliases) > 0 {
					sev, ok := rated[adv.ID]
					if !ok {
						var err error
						if sev, err = rater.AliasSeverity(adv.Aliases); err != nil {
							return nil, fmt.Errorf("severity of %s: %w", adv.ID, err)
						}
						rated[adv.ID] = sev
					}
					adv.Severity = sev
				}
				f := Finding{
					ID: adv.ID, Aliases: adv.Aliases, Package: p.Name, PackageType: string(p.Type),
					InstalledVersion: p.Version, FixedVersion: fixed, Severity: adv.Severity,
					Layer: p.Layer, PURL: p.PURL, Location: p.Location, Ecosystem: eco, Summary: adv.Summary,
					Link: adv.URL(), References: adv.References, CVSS: adv.CVSS, Published: adv.Published, Modified: adv.Modified,
				}
				if f.Aliases == nil {
					f.Aliases = []string{}
				}
				if q.name != p.Name {
					f.SourcePackage = q.name
				}
				findings = append(findings, f)
			}
		}
	}
	Sort(findings)
	return findings, nil
}

// Sort orders findings by severity (most serious first), then package and ID.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := vulndb.SeverityRank(a.Severity), vulndb.SeverityRank(b.Severity); ra != rb {
			return ra > rb
		}
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		return a.ID < b.ID
	})
}

// Affects evaluates an advisory's ranges and version lists against version
// (OSV schema, "Evaluation"): affected when inside any range or listed.
// fixed is the lowest fix above version in the range that matched.
func Affects(adv vulndb.Advisory, version string, cmp Comparer, rangeType string) (affected bool, fixed string) {
	for _, a := range adv.Affected {
		if slices.Contains(a.Versions, version) {
			affected = true
		}
		for _, r := range a.Ranges {
			if r.Type != rangeType {
				continue // GIT ranges name commits, not versions
			}
			if in, fix := inRange(r.Events, version, cmp); in {
				if !affected || fixed == "" || (fix != "" && less(cmp, fix, fixed)) {
					fixed = fix
				}
				affected = true
			}
		}
	}
	return affected, fixed
}

func less(cmp Comparer, a, b string) bool {
	c, err := cmp.Compare(a, b)
	return err == nil && c < 0
}

// inRange walks a range's events in version order: an introduced at or
// below version opens it, a fixed at or below closes it, a last_affected
// below closes it. Unparsable versions are skipped, never guessed.
func inRange(events []vulndb.Event, version string, cmp Comparer) (bool, string) {
	type ev struct {
		v    string
		kind string
	}
	var evs []ev
	for _, e := range events {
		switch {
		case e.Introduced != "":
			evs = append(evs, ev{e.Introduced, "introduced"})
		case e.Fixed != "":
			evs = append(evs, ev{e.Fixed, "fixed"})
		case e.LastAffected != "":
			evs = append(evs, ev{e.LastAffected, "last_affected"})
		}
	}
	// Order events by version; "0" (the beginning of time) comes first.
	valid := evs[:0]
	for _, e := range evs {
		if e.v == "0" {
			valid = append(valid, e)
			continue
		}
		if _, err := cmp.Compare(e.v, e.v); err == nil {
			valid = append(valid, e)
		}
	}
	evs = valid
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].v == "0" || evs[j].v == "0" {
			return evs[i].v == "0" && evs[j].v != "0"
		}
		return less(cmp, evs[i].v, evs[j].v)
	})
	affected := false
	fix := ""
	for _, e := range evs {
		var c int
		if e.v == "0" {
			c = -1 // version is above the beginning of time
		} else {
			var err error
			if c, err = cmp.Compare(e.v, version); err != nil {
				return false, ""
			}
		}
		switch e.kind {
		case "introduced":
			if c <= 0 {
				affected, fix = true, ""
			}
		case "fixed":
			if c <= 0 {
				affected = false
			} else if affected && fix == "" {
				fix = e.v
			}
		case "last_affected":
			if c < 0 {
				affected = false
			}
		}
	}
	return affected, fix
}
