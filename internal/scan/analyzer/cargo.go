package analyzer

import (
	"compress/zlib"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"

	"github.com/wardproject/ward/internal/scan/inventory"
)

// maxCargoAuditable bounds the decompressed dependency list.
const maxCargoAuditable = 8 << 20

// cargoAuditable reads the dependency list `cargo auditable build` embeds
// in a Rust binary: the ELF section .dep-v0, zlib-compressed JSON
// (github.com/rust-secure-code/cargo-auditable, format "v0").
func cargoAuditable(s *elf.Section) ([]inventory.Package, error) {
	zr, err := zlib.NewReader(s.Open())
	if err != nil {
		return nil, fmt.Errorf("cargo auditable data: %w", err)
	}
	defer zr.Close()
	var doc struct {
		Packages []struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Source  string `json:"source"`
		} `json:"packages"`
	}
	if err := json.NewDecoder(io.LimitReader(zr, maxCargoAuditable)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("cargo auditable data: %w", err)
	}
	var pkgs []inventory.Package
	for _, p := range doc.Packages {
		if p.Name != "" && p.Version != "" {
			pkgs = append(pkgs, inventory.Package{Type: inventory.TypeCargo, Name: p.Name, Version: p.Version})
		}
	}
	return pkgs, nil
}
