package matcher

import (
	"fmt"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// query is how one package is looked up and compared.
type query struct {
	ecosystems []string // OSV ecosystems, most specific first
	name       string
	version    string // the version compared against ranges
	cmp        Comparer
	rangeType  string // ECOSYSTEM or SEMVER
}

// distroAdvisories is where a distribution's advisories are: the OSV
// ecosystems its packages are looked up in, most specific first, and the
// package type they cover. reason says why there are none.
type distroAdvisories struct {
	ecosystems []string
	pkgType    inventory.Type
	reason     string
}

// distroEcosystems maps a distribution to the OSV ecosystems osv.dev
// publishes for it. One table, so a reader sees what is covered.
func distroEcosystems(d inventory.Distro) distroAdvisories {
	major, _, _ := strings.Cut(d.VersionID, ".")
	noVersion := distroAdvisories{reason: "os-release names no VERSION_ID, so no release's advisories apply"}
	switch d.ID {
	case "debian":
		if major == "" {
			return noVersion
		}
		return distroAdvisories{ecosystems: []string{"Debian:" + major}, pkgType: inventory.TypeDeb}
	case "ubuntu":
		if d.VersionID == "" {
			return noVersion
		}
		// LTS releases (even year, April) have their own ecosystem, and
		// Ubuntu Pro (ESM) publishes the fixes past standard support.
		if y, m, _ := strings.Cut(d.VersionID, "."); m == "04" && len(y) == 2 && (y[1]-'0')%2 == 0 {
			return distroAdvisories{ecosystems: []string{"Ubuntu:" + d.VersionID + ":LTS", "Ubuntu:Pro:" + d.VersionID + ":LTS"}, pkgType: inventory.TypeDeb}
		}
		return distroAdvisories{ecosystems: []string{"Ubuntu:" + d.VersionID}, pkgType: inventory.TypeDeb}
	case "alpine":
		parts := strings.SplitN(d.VersionID, ".", 3)
		if len(parts) < 2 {
			return noVersion
		}
		return distroAdvisories{ecosystems: []string{"Alpine:v" + parts[0] + "." + parts[1]}, pkgType: inventory.TypeAPK}
	case "wolfi":
		return distroAdvisories{ecosystems: []string{"Wolfi"}, pkgType: inventory.TypeAPK}
	case "chainguard":
		return distroAdvisories{ecosystems: []string{"Chainguard"}, pkgType: inventory.TypeAPK}
	case "rhel":
		// Red Hat's records (UBI images are rhel) are per product stream;
		// UBI ships packages from BaseOS, AppStream and CodeReady Builder.
		if major == "" {
			return noVersion
		}
		base := "Red Hat:enterprise_linux:" + major + "::"
		return distroAdvisories{ecosystems: []string{base + "baseos", base + "appstream", base + "crb"}, pkgType: inventory.TypeRPM}
	case "rocky":
		if major == "" {
			return noVersion
		}
		return distroAdvisories{ecosystems: []string{"Rocky Linux:" + major}, pkgType: inventory.TypeRPM}
	case "almalinux":
		if major == "" {
			return noVersion
		}
		return distroAdvisories{ecosystems: []string{"AlmaLinux:" + major}, pkgType: inventory.TypeRPM}
	case "opensuse-leap":
		if d.VersionID == "" {
			return noVersion
		}
		return distroAdvisories{ecosystems: []string{"openSUSE:Leap " + d.VersionID}, pkgType: inventory.TypeRPM}
	case "opensuse-tumbleweed":
		return distroAdvisories{ecosystems: []string{"openSUSE:Tumbleweed"}, pkgType: inventory.TypeRPM}
	case "mageia":
		if d.VersionID == "" {
			return noVersion
		}
		return distroAdvisories{ecosystems: []string{"Mageia:" + d.VersionID}, pkgType: inventory.TypeRPM}
	case "amzn":
		return distroAdvisories{reason: "osv.dev publishes no Amazon Linux advisories (ALAS), so ward has none"}
	case "":
		return distroAdvisories{reason: "no os-release or other release file names the distribution"}
	}
	return distroAdvisories{reason: fmt.Sprintf("ward knows no advisories for distribution %q", d.ID)}
}

// languageEcosystem is the OSV ecosystem and version scheme of a language
// package type.
var languageEcosystems = map[inventory.Type]struct {
	ecosystem string
	cmp       Comparer
	rangeType string
}{
	inventory.TypeGolang: {"Go", Semver{}, "SEMVER"},
	inventory.TypeNPM:    {"npm", NPM{}, "SEMVER"},
	inventory.TypePyPI:   {"PyPI", PEP440{}, "ECOSYSTEM"},
	inventory.TypeGem:    {"RubyGems", RubyGems{}, "ECOSYSTEM"},
	inventory.TypeMaven:  {"Maven", Maven{}, "ECOSYSTEM"},
	inventory.TypeCargo:  {"crates.io", Semver{}, "SEMVER"},
	// Composer orders versions much as semver does; a four-part or
	// branch version ("dev-main") does not parse and is never guessed.
	inventory.TypeComposer: {"Packagist", NPM{}, "ECOSYSTEM"},
}

// queryFor maps a package on a distribution to its OSV ecosystem: Debian
// and Ubuntu by release and source package, Alpine by release branch and
// origin, rpm distributions by binary package, language packages by their
// registry's name. ok is false for packages no ecosystem covers.
func queryFor(p inventory.Package, d inventory.Distro) (query, bool) {
	if l, ok := languageEcosystems[p.Type]; ok {
		if p.Type == inventory.TypeGolang && p.Version == "(devel)" {
			return query{}, false
		}
		return query{[]string{l.ecosystem}, p.Name, p.Version, l.cmp, l.rangeType}, true
	}
	da := distroEcosystems(d)
	if len(da.ecosystems) == 0 || da.pkgType != p.Type {
		return query{}, false
	}
	switch p.Type {
	case inventory.TypeDeb:
		// Debian's and Ubuntu's advisories name source packages and source
		// versions; a binNMU (+b1) binary is compared by its source.
		return query{da.ecosystems, p.SourceOrName(), p.SourceOrVersion(), Debian{}, "ECOSYSTEM"}, true
	case inventory.TypeAPK:
		return query{da.ecosystems, p.SourceOrName(), p.Version, Alpine{}, "ECOSYSTEM"}, true
	case inventory.TypeRPM:
		// rpm advisories name binary packages and full epoch:version-release.
		return query{da.ecosystems, p.Name, p.Version, RPM{}, "ECOSYSTEM"}, true
	}
	return query{}, false
}

// EcosystemIndex tells whether a database holds advisories of an ecosystem.
type EcosystemIndex interface {
	HasEcosystem(ecosystem string) (bool, error)
}

// Cover says what matching inv against db covers and what it does not:
// the distribution, each package type found, and the package files the
// analyzers could not read. db nil means no database was consulted (an
// SBOM): what ward could match is then "matchable".
func Cover(inv *inventory.Inventory, db EcosystemIndex) (inventory.Coverage, error) {
	c := inventory.Coverage{Unreadable: inv.Unreadable, Unsupported: inv.Unsupported}
	if c.Unreadable == nil {
		c.Unreadable = []inventory.Unreadable{}
	}
	if c.Unsupported == nil {
		c.Unsupported = []inventory.Unsupported{}
	}
	status := func(ecosystems []string) (string, string, error) {
		if db == nil {
			return inventory.CoverMatchable, "", nil
		}
		for _, eco := range ecosystems {
			ok, err := db.HasEcosystem(eco)
			if err != nil {
				return "", "", fmt.Errorf("advisories of %s: %w", eco, err)
			}
			if ok {
				return inventory.CoverMatched, "", nil
			}
		}
		return inventory.CoverNoAdvisories, fmt.Sprintf("the database holds no %s advisories (ward db update --ecosystem %q)", strings.Join(ecosystems, " or "), vulndb.Dump(ecosystems[0])), nil
	}

	da := distroEcosystems(inv.Distro)
	c.Distro = inventory.DistroCoverage{ID: inv.Distro.ID, VersionID: inv.Distro.VersionID}
	switch {
	case len(da.ecosystems) > 0:
		c.Distro.Ecosystem = strings.Join(da.ecosystems, ",")
		var err error
		if c.Distro.Status, c.Distro.Reason, err = status(da.ecosystems); err != nil {
			return c, err
		}
	case inv.Distro.ID == "" && !hasOSPackages(inv):
		c.Distro.Status = inventory.CoverNone // nothing claims to be a distribution
	default:
		c.Distro.Status, c.Distro.Reason = inventory.CoverUnsupported, da.reason
	}

	counts := map[inventory.Type]int{}
	c.Unmatched = []inventory.Unmatched{}
	for _, p := range inv.Packages {
		counts[p.Type]++
		if p.Type == inventory.TypeMaven && !strings.Contains(p.Name, ":") {
			c.Unmatched = append(c.Unmatched, inventory.Unmatched{Path: p.Location, Package: p.Name + " " + p.Version,
				Reason: "the archive has no pom.properties, so its Maven group (which advisories name) is unknown"})
			continue
		}
		// A version its ecosystem's ordering cannot read is compared with
		// no range: say so rather than report it unaffected.
		if q, ok := queryFor(p, inv.Distro); ok {
			if _, err := q.cmp.Compare(q.version, q.version); err != nil {
				c.Unmatched = append(c.Unmatched, inventory.Unmatched{Path: p.Location, Package: p.Name + " " + p.Version,
					Reason: "its version cannot be ordered: " + err.Error()})
			}
		}
	}
	for t, n := range counts {
		e := inventory.EcosystemCoverage{Type: t, Packages: n}
		var ecosystems []string
		if l, ok := languageEcosystems[t]; ok {
			ecosystems = []string{l.ecosystem}
		} else if da.pkgType == t {
			ecosystems = da.ecosystems
		}
		if len(ecosystems) == 0 {
			e.Status = inventory.CoverUnsupported
			e.Reason = fmt.Sprintf("no advisories for %s packages on distribution %s", t, c.Distro.Name())
			if da.reason != "" && isOSType(t) {
				e.Reason += ": " + da.reason
			}
		} else {
			e.Ecosystem = strings.Join(ecosystems, ",")
			var err error
			if e.Status, e.Reason, err = status(ecosystems); err != nil {
				return c, err
			}
		}
		c.Ecosystems = append(c.Ecosystems, e)
	}
	if c.Ecosystems == nil {
		c.Ecosystems = []inventory.EcosystemCoverage{}
	}
	c.SortEcosystems()
	return c, nil
}

func isOSType(t inventory.Type) bool {
	return t == inventory.TypeDeb || t == inventory.TypeAPK || t == inventory.TypeRPM
}

func hasOSPackages(inv *inventory.Inventory) bool {
	for _, p := range inv.Packages {
		if isOSType(p.Type) {
			return true
		}
	}
	return false
}
