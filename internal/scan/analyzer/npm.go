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
