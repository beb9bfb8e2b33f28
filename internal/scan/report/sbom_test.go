package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/wardproject/ward/internal/scan/analyzer"
	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/scantest"
	"github.com/wardproject/ward/internal/scan/source"
)

// compileSchema loads the official schemas in testdata/schema under the
// URLs their $id and $ref name, and compiles the one at root.
func compileSchema(t *testing.T, root string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	files := map[string]string{
		"http://cyclonedx.org/schema/bom-1.5.schema.json":  "bom-1.5.schema.json",
		"http://cyclonedx.org/schema/spdx.schema.json":     "spdx.schema.json",
		"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schema.json",
		"http://spdx.org/rdf/terms/2.3":                    "spdx-schema-2.3.json",
	}
	for url, name := range files {
		f, err := os.Open(filepath.Join("testdata/schema", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile(root)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sampleInventory has one package of each kind and every optional field.
func sampleInventory() *inventory.Inventory {
	d := inventory.Distro{ID: "debian", VersionID: "12", Codename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)"}
	pkgs := []inventory.Package{
		{Type: inventory.TypeDeb, Name: "bsdutils", Version: "1:2.38.1-5+deb12u3", Arch: "amd64", SourceName: "util-linux", SourceVersion: "2.38.1-5+deb12u3", Location: "var/lib/dpkg/status", Layer: "sha256:" + strings.Repeat("ab", 32)},
		{Type: inventory.TypeAPK, Name: "busybox-binsh", Version: "1.36.1-r15", Arch: "x86_64", SourceName: "busybox", Licenses: []string{"GPL-2.0-only"}, Location: "lib/apk/db/installed"},
		{Type: inventory.TypeAPK, Name: "odd", Version: "1", Licenses: []string{"custom license, see COPYING"}, Location: "lib/apk/db/installed"},
		{Type: inventory.TypeGolang, Name: "golang.org/x/net", Version: "v0.17.0", Location: "usr/bin/app"},
		{Type: inventory.TypeGolang, Name: "stdlib", Version: "go1.21.3", Location: "usr/bin/app"},
	}
	for i := range pkgs {
		pkgs[i].PURL = inventory.PackageURL(pkgs[i], d)
	}
	return &inventory.Inventory{Source: "sample", Distro: d, Packages: pkgs}
}

func minbaseInventory(t *testing.T) *inventory.Inventory {
	root := scantest.MinbaseRootfs(t)
	src, err := source.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	inv, err := analyzer.Run(src, root, analyzer.All())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestSBOMValidatesAgainstOfficialSchemas(t *testing.T) {
	schemas := map[string]string{
		"cyclonedx-json": "http://cyclonedx.org/schema/bom-1.5.schema.json",
		"spdx-json":      "http://spdx.org/rdf/terms/2.3",
	}
	inventories := map[string]func(*testing.T) *inventory.Inventory{
		"sample":  func(*testing.T) *inventory.Inventory { return sampleInventory() },
		"minbase": minbaseInventory,
		// Coverage with gaps goes into metadata properties and the
		// creation comment, which must keep the documents valid.
		"with coverage gaps": func(*testing.T) *inventory.Inventory {
			inv := sampleInventory()
			inv.Coverage = &inventory.Coverage{
				Distro:      inventory.DistroCoverage{ID: "gentoo", Status: inventory.CoverUnsupported, Reason: "no advisories"},
				Ecosystems:  []inventory.EcosystemCoverage{{Type: inventory.TypeNPM, Ecosystem: "npm", Packages: 2, Status: inventory.CoverMatchable}},
				Unreadable:  []inventory.Unreadable{{Path: "var/lib/rpm/Packages", Analyzer: "rpm-bdb", Error: "bad page"}},
				Unsupported: []inventory.Unsupported{{Path: "app/Cargo.lock", Ecosystem: "cargo"}},
			}
			return inv
		},
	}
	for format, schemaURL := range schemas {
		schema := compileSchema(t, schemaURL)
		for name, mk := range inventories {
			t.Run(format+"/"+name, func(t *testing.T) {
				inv := mk(t)
				var buf bytes.Buffer
				if err := WriteSBOM(&buf, inv, format, time.Now()); err != nil {
					t.Fatal(err)
				}
				doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				if err := schema.Validate(doc); err != nil {
					t.Fatalf("%s document does not validate: %v", format, err)
				}
				// Every package is in the document, under its purl.
				for _, p := range inv.Packages {
					if !bytes.Contains(buf.Bytes(), mustMarshal(t, p.PURL)) {
						t.Errorf("purl %s missing from %s", p.PURL, format)
					}
				}
			})
		}
	}
}

func TestSchemaRejectsBrokenDocuments(t *testing.T) {
	// Guard against a validator that accepts anything.
	schema := compileSchema(t, "http://spdx.org/rdf/terms/2.3")
	var buf bytes.Buffer
	if err := WriteSBOM(&buf, sampleInventory(), "spdx-json", time.Now()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(buf.Bytes(), &doc)
	delete(doc, "dataLicense")
	if err := schema.Validate(doc); err == nil {
		t.Error("SPDX document without dataLicense validated")
	}
}

func TestSBOMFormats(t *testing.T) {
	inv := sampleInventory()
	for _, format := range SBOMFormats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSBOM(&buf, inv, format, time.Now()); err != nil {
				t.Fatal(err)
			}
			for _, p := range inv.Packages {
				if !strings.Contains(buf.String(), p.Version) {
					t.Errorf("version %s of %s missing", p.Version, p.Name)
				}
			}
		})
	}
	if err := WriteSBOM(&bytes.Buffer{}, inv, "xml", time.Now()); err == nil {
		t.Error("unknown format accepted")
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
