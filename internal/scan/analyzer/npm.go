package analyzer

import (
	"encoding/json"
	"errors"
	"io"
	"path"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// NPM reads the package.json of every package installed in a node_modules
// directory (node_modules/NAME/package.json, node_modules/@SCOPE/NAME/
// package.json, nested node_modules too): what `npm ls` shows installed,
// as syft's and trivy's image catalogers read it.
type NPM struct{}

func (NPM) Name() string { return "npm" }

// maxPackageJSON bounds one package.json read into memory.
const maxPackageJSON = 4 << 20

func (NPM) Wants(e source.Entry) bool {
	if path.Base(e.Path) != "package.json" || e.Size > maxPackageJSON {
		return false
	}
	dir := path.Dir(e.Path)
	parent := path.Dir(dir)
	if strings.HasPrefix(path.Base(parent), "@") {
		parent = path.Dir(parent) // a scoped package: node_modules/@scope/name
	}
	return path.Base(parent) == "node_modules"
}

// packageJSON is the part of package.json an SBOM uses. license is a
// string, an SPDX expression, or (old packages) {"type": ...}; licenses
// is the older list form.
type packageJSON struct {
	Name     string          `json:"name"`
	Version  string          `json:"version"`
	License  json.RawMessage `json:"license"`
	Licenses json.RawMessage `json:"licenses"`
}

func (NPM) Analyze(e source.Entry, r io.Reader) (Result, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPackageJSON))
	if err != nil {
		return Result{}, err
	}
	var pj packageJSON
	if err := json.Unmarshal(b, &pj); err != nil {
		return Result{}, err
	}
	if pj.Name == "" || pj.Version == "" {
		return Result{}, errors.New("package.json names no package or no version")
	}
	p := inventory.Package{Type: inventory.TypeNPM, Name: pj.Name, Version: pj.Version}
	p.Licenses = npmLicenses(pj.License, pj.Licenses)
	return Result{Packages: []inventory.Package{p}}, nil
}

func npmLicenses(license, licenses json.RawMessage) []string {
	type typed struct {
		Type string `json:"type"`
	}
	var out []string
	var s string
	var t typed
	switch {
	case json.Unmarshal(license, &s) == nil && s != "":
		out = append(out, s)
	case json.Unmarshal(license, &t) == nil && t.Type != "":
		out = append(out, t.Type)
	}
	var list []typed
	if json.Unmarshal(licenses, &list) == nil {
		for _, l := range list {
			if l.Type != "" {
				out = append(out, l.Type)
			}
		}
	}
	return out
}

// NPMLock reads npm's package-lock.json (lockfile v1, v2 and v3): the
// packages an application was installed with, for roots that ship the
// lock file without node_modules. Development dependencies are left out,
// as trivy and syft leave them out of an installed application. Where
// node_modules is there too, Run keeps the installed package.json's entry
// and drops the lock's duplicate.
type NPMLock struct{}

func (NPMLock) Name() string { return "npm-lock" }

func (NPMLock) Wants(e source.Entry) bool {
	return path.Base(e.Path) == "package-lock.json" && !strings.Contains(e.Path, "node_modules/") && e.Size < maxInstalledJSON
}

type npmLockEntry struct {
	Version      string                  `json:"version"`
	Dev          bool                    `json:"dev"`
	Link         bool                    `json:"link"`
	Dependencies map[string]npmLockEntry `json:"dependencies"` // lockfile v1
}

func (NPMLock) Analyze(e source.Entry, r io.Reader) (Result, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInstalledJSON))
	if err != nil {
		return Result{}, err
	}
	var lock struct {
		LockfileVersion int                     `json:"lockfileVersion"`
		Packages        map[string]npmLockEntry `json:"packages"`     // v2, v3
		Dependencies    map[string]npmLockEntry `json:"dependencies"` // v1
	}
	if err := json.Unmarshal(b, &lock); err != nil {
		return Result{}, err
	}
	var pkgs []inventory.Package
	add := func(name string, d npmLockEntry) {
		if name != "" && d.Version != "" && !d.Dev && !d.Link {
			pkgs = append(pkgs, inventory.Package{Type: inventory.TypeNPM, Name: name, Version: d.Version})
		}
	}
	if lock.Packages != nil {
		for key, d := range lock.Packages {
			// "node_modules/a/node_modules/@s/b" names @s/b; "" is the root.
			if i := strings.LastIndex(key, "node_modules/"); i >= 0 {
				add(key[i+len("node_modules/"):], d)
			}
		}
		return Result{Packages: pkgs}, nil
	}
	var walk func(map[string]npmLockEntry)
	walk = func(deps map[string]npmLockEntry) {
		for name, d := range deps {
			add(name, d)
			walk(d.Dependencies)
		}
	}
	walk(lock.Dependencies)
	return Result{Packages: pkgs}, nil
}
