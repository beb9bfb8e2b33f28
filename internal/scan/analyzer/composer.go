package analyzer

import (
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// Composer reads vendor/composer/installed.json, where Composer records
// every PHP package it installed (a list in Composer 1, an object with a
// "packages" list in Composer 2).
type Composer struct{}

func (Composer) Name() string { return "composer" }

// maxInstalledJSON bounds one installed.json.
const maxInstalledJSON = 64 << 20

func (Composer) Wants(e source.Entry) bool {
	return (e.Path == "vendor/composer/installed.json" || strings.HasSuffix(e.Path, "/vendor/composer/installed.json")) && e.Size < maxInstalledJSON
}

type composerPackage struct {
	Name    string          `json:"name"`
	Version string          `json:"version"`
	License json.RawMessage `json:"license"`
}

func (Composer) Analyze(e source.Entry, r io.Reader) (Result, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInstalledJSON))
	if err != nil {
		return Result{}, err
	}
	var v2 struct {
		Packages []composerPackage `json:"packages"`
	}
	var list []composerPackage
	if err := json.Unmarshal(b, &v2); err != nil || v2.Packages == nil {
		if err := json.Unmarshal(b, &list); err != nil {
			return Result{}, errors.New("installed.json is neither Composer 1's list nor Composer 2's {\"packages\": [...]}")
		}
	} else {
		list = v2.Packages
	}
	var pkgs []inventory.Package
	for _, p := range list {
		if p.Name == "" || p.Version == "" {
			continue
		}
		var licenses []string
		json.Unmarshal(p.License, &licenses) // a list of SPDX identifiers, when given
		pkgs = append(pkgs, inventory.Package{Type: inventory.TypeComposer, Name: p.Name, Version: p.Version, Licenses: licenses})
	}
	return Result{Packages: pkgs}, nil
}
