package main

import (
	"encoding/json"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ward sbom and ward scan resolve a name that is not a path through the
// image store, and name in each finding the layer that brought the package.
func TestScanStoredImage(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	if _, err := run(t, newSBOMCommand(), "example.com/old:1"); err == nil || !strings.Contains(err.Error(), "no such directory, archive or image") {
		t.Fatalf("sbom of an image in a root without a store: %v", err)
	}
	rec := storeImage(t, "example.com/old:1", v1.Config{}, debianLayers(t)...)
	if _, err := run(t, newDBCommand(), "import", osvFixtures); err != nil {
		t.Fatal(err)
	}

	out, err := run(t, newSBOMCommand(), "example.com/old:1", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var inv struct {
		Packages []struct{ Name, Version, Layer string }
	}
	if err := json.Unmarshal([]byte(out), &inv); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	names := map[string]string{}
	for _, p := range inv.Packages {
		names[p.Name] = p.Layer
	}
	if len(names) != 2 || names["busybox"] != rec.Layers[0].DiffID.String() || names["zlib1g"] == "" {
		t.Errorf("sbom packages %v, want busybox and zlib1g from layer %s (tar whited out)", names, rec.Layers[0].DiffID)
	}

	// By ID prefix too, as docker resolves images.
	out, err = run(t, newScanCommand(), rec.ID.Hex[:12], "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Findings []struct{ ID, Package, Layer string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	found := false
	for _, f := range res.Findings {
		if f.Package == "tar" {
			t.Errorf("whited-out tar reported: %+v", f)
		}
		if f.ID == "DEBIAN-CVE-2022-48174" {
			found = true
			if f.Layer != rec.Layers[0].DiffID.String() {
				t.Errorf("busybox finding in layer %q, want %s", f.Layer, rec.Layers[0].DiffID)
			}
		}
	}
	if !found {
		t.Errorf("busybox CVE-2022-48174 not found in the stored image:\n%s", out)
	}
	if _, err := run(t, newScanCommand(), "example.com/absent:1"); err == nil || !strings.Contains(err.Error(), "no such") {
		t.Errorf("scan of an unknown image: %v", err)
	}
}
