package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestScanRegistryImage: ward sbom and scan read an image from its
// registry (an in-process one) without storing it; --image-src store
// refuses to.
func TestScanRegistryImage(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	for name, body := range map[string]string{
		"etc/os-release":      "ID=debian\nVERSION_ID=\"12\"\n",
		"var/lib/dpkg/status": "Package: busybox\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.35.0-4\n\n",
	} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer(layer.Bytes(), types.OCIUncompressedLayer))
	if err != nil {
		t.Fatal(err)
	}
	refName := strings.TrimPrefix(srv.URL, "http://") + "/app:1"
	ref, _ := name.ParseReference(refName)
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}

	out, err := run(t, newSBOMCommand(), refName, "--format", "json")
	if err != nil || !strings.Contains(out, `"name": "busybox"`) {
		t.Fatalf("sbom of a registry image: %v\n%s", err, out)
	}
	if _, err := run(t, newDBCommand(), "import", osvFixtures); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, newScanCommand(), refName, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Findings []struct{ ID, Layer string }
	}
	json.Unmarshal([]byte(out), &res)
	found := false
	for _, f := range res.Findings {
		found = found || f.ID == "DEBIAN-CVE-2022-48174" && strings.HasPrefix(f.Layer, "sha256:")
	}
	if !found {
		t.Errorf("busybox CVE not found in the registry image, with its layer:\n%s", out)
	}
	// ward check reads REGISTRY/REPO:TAG names from the registry too.
	got, stderr, err := checkJSON(t, refName)
	if err != nil && exitStatusOf(err) != 0 || len(got["WD260"]) == 0 {
		t.Errorf("check of a registry image: %v %v\n%s", got, err, stderr)
	}
	if _, _, err := checkJSON(t, "--image-src", "store", refName); exitStatusOf(err) != 2 {
		t.Errorf("check --image-src store of an unstored image: %v, want exit 2", err)
	}
	if _, err := run(t, withInputErrors(newScanCommand()), refName, "--image-src", "store"); exitStatusOf(err) != 2 {
		t.Errorf("--image-src store of an unstored image: %v, want exit 2", err)
	}
	if _, err := run(t, withInputErrors(newScanCommand()), refName, "--image-src", "elsewhere"); exitStatusOf(err) != 2 {
		t.Errorf("--image-src elsewhere: %v, want exit 2", err)
	}
}
