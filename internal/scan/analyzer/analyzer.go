// Package analyzer reads package databases, release files and binaries out
// of a layered filesystem and turns them into an inventory.
//
// Each analyzer says which files it wants and parses one file at a time;
// Run walks every layer once, hands the wanted files over, then keeps what
// is visible in the final filesystem (the topmost version of each file,
// after whiteouts) and attributes each package to the lowest layer whose
// copy of the same file already contained it.
package analyzer

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// Analyzer parses one kind of file.
type Analyzer interface {
	// Name identifies the analyzer in errors.
	Name() string
	// Wants reports whether the file at e.Path (a regular file) is one the
	// analyzer reads. It must be cheap: it is asked for every file.
	Wants(e source.Entry) bool
	// Analyze parses one wanted file. Unparsable content is an error only
	// when it makes the inventory wrong (a package database or manifest
	// that cannot be read); a stray binary is not. Run records such a file
	// as unreadable and goes on: the report says what it could not see.
	Analyze(e source.Entry, r io.Reader) (Result, error)
}

// Result is what one file says.
type Result struct {
	Packages []inventory.Package
	// Distro is set by release files; Rank orders competing ones (lower
	// wins), e.g. /etc/os-release before /etc/debian_version.
	Distro *inventory.Distro
	Rank   int
	// Licenses maps package names to licenses found in files beside the
	// package database (Debian's copyright files); they fill packages of
	// that name and type deb that carry none.
	Licenses map[string][]string
	// Unsupported names the ecosystem of a file that holds packages ward
	// does not read (see NotRead); the report lists it as a gap.
	Unsupported string
}

// All lists every analyzer ward runs, in one place.
func All() []Analyzer {
	return []Analyzer{
		OSRelease{},
		Dpkg{},
		APK{},
		RPM{},
		RPMBerkeley{},
		RPMNDB{},
		DebCopyright{},
		NPM{},
		NPMLock{},
		Python{},
		Gem{},
		Java{},
		Composer{},
		Busybox{}, // before GoBinary, which would claim any executable
		GoBinary{},
		NotRead{}, // last: files of ecosystems no analyzer above reads
	}
}

// fileResult is one layer's copy of one analyzed file.
type fileResult struct {
	layer    int
	result   Result
	empty    bool   // the layer replaced the file with something not analyzable
	analyzer string // which analyzer read it
	err      error  // the analyzer could not parse this copy
}

// Run analyzes src with analyzers and returns the inventory of the final
// filesystem. name is recorded as the inventory's source.
func Run(src source.Source, name string, analyzers []Analyzer) (*inventory.Inventory, error) {
	layers := src.Layers()
	files := map[string][]fileResult{} // path -> results, lowest layer first
	for i, l := range layers {
		err := l.Walk(func(e source.Entry) error {
			if e.Whiteout || e.Opaque {
				// Deletions apply to lower layers only: an opaque directory
				// keeps the files its own layer puts in it.
				for p, rs := range files {
					last := rs[len(rs)-1]
					if last.layer < i && !last.empty && (p == e.Path && e.Whiteout || strings.HasPrefix(p, e.Path+"/")) {
						files[p] = append(rs, fileResult{layer: i, empty: true})
					}
				}
				return nil
			}
			var a Analyzer
			if e.Open != nil && e.Mode.IsRegular() {
				for _, c := range analyzers {
					if c.Wants(e) {
						a = c
						break
					}
				}
			}
			if a == nil {
				if _, known := files[e.Path]; known && !e.Mode.IsDir() {
					files[e.Path] = append(files[e.Path], fileResult{layer: i, empty: true})
				}
				return nil
			}
			rc, err := e.Open()
			if err != nil {
				return fmt.Errorf("%s: %w", e.Path, err)
			}
			res, err := a.Analyze(e, rc)
			rc.Close()
			files[e.Path] = append(files[e.Path], fileResult{layer: i, result: res, analyzer: a.Name(), err: err})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("layer %d %s: %w", i, l.Digest(), err)
		}
	}

	inv := &inventory.Inventory{Source: name, Packages: []inventory.Package{},
		Unreadable: []inventory.Unreadable{}, Unsupported: []inventory.Unsupported{}}
	licenses := map[string][]string{}
	bestRank := -1
	for p, results := range files {
		top := results[len(results)-1]
		if top.empty {
			continue
		}
		if top.err != nil {
			inv.Unreadable = append(inv.Unreadable, inventory.Unreadable{Path: p, Analyzer: top.analyzer, Error: top.err.Error()})
			continue
		}
		if top.result.Unsupported != "" {
			inv.Unsupported = append(inv.Unsupported, inventory.Unsupported{Path: p, Ecosystem: top.result.Unsupported})
			continue
		}
		if d := top.result.Distro; d != nil && (bestRank < 0 || top.result.Rank < bestRank) {
			inv.Distro, bestRank = *d, top.result.Rank
		}
		for n, ls := range top.result.Licenses {
			licenses[n] = ls
		}
		for _, pkg := range top.result.Packages {
			pkg.Location = p
			pkg.Layer = layers[lowestLayer(results, pkg)].Digest()
			inv.Packages = append(inv.Packages, pkg)
		}
	}
	inv.Packages = dropLockDuplicates(inv.Packages)
	for i := range inv.Packages {
		if p := &inv.Packages[i]; p.Type == inventory.TypeDeb && len(p.Licenses) == 0 {
			p.Licenses = licenses[p.Name]
		}
		inv.Packages[i].PURL = inventory.PackageURL(inv.Packages[i], inv.Distro)
	}
	inv.Sort()
	return inv, nil
}

// lowestLayer returns the lowest layer in the current unbroken run of
// copies of a file that contain pkg at the same version: a package removed
// and later reinstalled belongs to the layer that reinstalled it.
func lowestLayer(results []fileResult, pkg inventory.Package) int {
	lowest := results[len(results)-1].layer
	for i := len(results) - 1; i >= 0; i-- {
		if results[i].empty || results[i].err != nil || !contains(results[i].result.Packages, pkg) {
			break
		}
		lowest = results[i].layer
	}
	return lowest
}

func contains(pkgs []inventory.Package, p inventory.Package) bool {
	for _, q := range pkgs {
		if q.Name == p.Name && q.Version == p.Version && q.Arch == p.Arch && q.Type == p.Type {
			return true
		}
	}
	return false
}

// under reports whether p is a direct child of dir.
func under(p, dir string) bool { return path.Dir(p) == dir }

// dropLockDuplicates removes the package-lock.json entries of npm packages
// that an installed package.json lists too: one package, reported once,
// from what is installed.
func dropLockDuplicates(pkgs []inventory.Package) []inventory.Package {
	installed := map[string]bool{}
	for _, p := range pkgs {
		if p.Type == inventory.TypeNPM && path.Base(p.Location) == "package.json" {
			installed[p.Name+"@"+p.Version] = true
		}
	}
	out := pkgs[:0]
	for _, p := range pkgs {
		if p.Type == inventory.TypeNPM && path.Base(p.Location) == "package-lock.json" && installed[p.Name+"@"+p.Version] {
			continue
		}
		out = append(out, p)
	}
	return out
}
