// Package inventory names what an SBOM lists: the operating system of a
// filesystem and the packages installed in it, with their package URLs.
package inventory

import (
	"net/url"
	"sort"
	"strings"
)

// Type is the kind of package database a package was found in.
type Type string

// The package types ward's analyzers produce.
const (
	TypeDeb      Type = "deb"
	TypeAPK      Type = "apk"
	TypeRPM      Type = "rpm"
	TypeGolang   Type = "golang"
	TypeNPM      Type = "npm"
	TypePyPI     Type = "pypi"
	TypeGem      Type = "gem"
	TypeMaven    Type = "maven"
	TypeCargo    Type = "cargo"
	TypeComposer Type = "composer"
)

// Distro is what /etc/os-release (or its older cousins) says.
type Distro struct {
	ID         string `json:"id,omitempty"`         // debian, alpine, busybox
	VersionID  string `json:"versionId,omitempty"`  // 12, 3.19.1
	Codename   string `json:"codename,omitempty"`   // bookworm
	PrettyName string `json:"prettyName,omitempty"` // Debian GNU/Linux 12 (bookworm)
}

// Package is one installed binary package (or Go module, or Go stdlib).
type Package struct {
	Type    Type   `json:"type"`
	Name    string `json:"name"`
	Version string `json:"version"` // exactly as the package database records it
	Arch    string `json:"arch,omitempty"`
	// SourceName and SourceVersion name the source package when they differ
	// from the binary's; vulnerability data for Debian is keyed by them.
	SourceName    string   `json:"sourceName,omitempty"`
	SourceVersion string   `json:"sourceVersion,omitempty"`
	Licenses      []string `json:"licenses,omitempty"`
	// Location is the file the package was read from (the package database
	// or the Go binary), relative to the filesystem root.
	Location string `json:"location"`
	// Layer is the digest of the lowest layer whose package database
	// contains the package; empty for a plain directory or rootfs tarball.
	Layer string `json:"layer,omitempty"`
	PURL  string `json:"purl"`
}

// Inventory is everything the analyzers found in one filesystem.
type Inventory struct {
	Source   string    `json:"source"` // what was analyzed, as given by the user
	Distro   Distro    `json:"distro"`
	Packages []Package `json:"packages"`
	// Unreadable and Unsupported are package files ward saw but could not
	// list the packages of; a report that leaves them out would be blind.
	// Reports show them through Coverage.
	Unreadable  []Unreadable  `json:"-"`
	Unsupported []Unsupported `json:"-"`
	// Coverage, when set, is what the inventory (and a scan of it) covered.
	Coverage *Coverage `json:"coverage,omitempty"`
}

// Sort orders packages by type, name, version and location so output is stable.
func (inv *Inventory) Sort() {
	sort.Slice(inv.Packages, func(i, j int) bool {
		a, b := inv.Packages[i], inv.Packages[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Location < b.Location
	})
}

// SourceOrName returns the source package name, or the binary's name when
// the database records none (they are then the same).
func (p Package) SourceOrName() string {
	if p.SourceName != "" {
		return p.SourceName
	}
	return p.Name
}

// SourceOrVersion returns the source package version, or the binary's.
func (p Package) SourceOrVersion() string {
	if p.SourceVersion != "" {
		return p.SourceVersion
	}
	return p.Version
}

// PackageURL builds the purl (github.com/package-url/purl-spec) of p as
// found on distro d.
func PackageURL(p Package, d Distro) string {
	q := url.Values{}
	var ns, name string
	switch p.Type {
	case TypeDeb, TypeAPK, TypeRPM:
		ns = d.ID
		if ns == "" {
			ns = map[Type]string{TypeDeb: "debian", TypeAPK: "alpine", TypeRPM: "redhat"}[p.Type]
		}
		name = p.Name
		if p.Arch != "" {
			q.Set("arch", p.Arch)
		}
		if d.ID != "" && d.VersionID != "" {
			q.Set("distro", d.ID+"-"+d.VersionID)
		}
		if p.SourceName != "" && p.SourceName != p.Name {
			q.Set("upstream", p.SourceName)
		}
	case TypeNPM:
		// A scoped package's scope is its namespace: pkg:npm/%40babel/core.
		if scope, n, ok := strings.Cut(p.Name, "/"); ok && strings.HasPrefix(scope, "@") {
			ns, name = scope, n
		} else {
			name = p.Name
		}
	case TypePyPI:
		// PyPI names are case-insensitive and '_' means '-' (purl-spec).
		name = strings.ReplaceAll(strings.ToLower(p.Name), "_", "-")
	case TypeComposer:
		// Composer packages are named vendor/name.
		if v, n, ok := strings.Cut(p.Name, "/"); ok {
			ns, name = v, n
		} else {
			name = p.Name
		}
	case TypeMaven:
		// Maven packages are named group:artifact.
		if g, a, ok := strings.Cut(p.Name, ":"); ok {
			ns, name = g, a
		} else {
			name = p.Name
		}
	case TypeGolang:
		// The namespace is everything before the last path element.
		if i := strings.LastIndex(p.Name, "/"); i >= 0 {
			ns, name = p.Name[:i], p.Name[i+1:]
		} else {
			name = p.Name
		}
	default:
		name = p.Name
	}
	version := p.Version
	if p.Type == TypeGolang && p.Name == "stdlib" {
		// The Go toolchain's version as the Go vulnerability database and
		// syft write it: 1.21.3, not go1.21.3.
		version = strings.TrimPrefix(version, "go")
	}
	if p.Type == TypeRPM {
		// rpm purls carry the epoch as a qualifier, not in the version.
		if e, rest, ok := strings.Cut(version, ":"); ok {
			version = rest
			q.Set("epoch", e)
		}
	}
	var b strings.Builder
	b.WriteString("pkg:")
	b.WriteString(string(p.Type))
	b.WriteString("/")
	if ns != "" {
		for _, seg := range strings.Split(ns, "/") {
			b.WriteString(escapeSegment(seg))
			b.WriteString("/")
		}
	}
	b.WriteString(escapeSegment(name))
	if version != "" {
		b.WriteString("@")
		b.WriteString(escapePURL(version))
	}
	if len(q) > 0 {
		b.WriteString("?")
		b.WriteString(encodeQualifiers(q))
	}
	return b.String()
}

// escapePURL percent-encodes a purl segment; ':' stays, as in epochs
// ("1:1.35.0-4"), which the purl spec allows unencoded.
func escapePURL(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "%3A", ":")
}

// escapeSegment escapes a namespace or name segment, '@' included (it
// would read as the version separator): pkg:npm/%40babel/core.
func escapeSegment(s string) string {
	return strings.ReplaceAll(escapePURL(s), "@", "%40")
}

// encodeQualifiers writes qualifiers sorted by key, as the purl spec asks.
func encodeQualifiers(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+escapePURL(q.Get(k)))
	}
	return strings.Join(parts, "&")
}
