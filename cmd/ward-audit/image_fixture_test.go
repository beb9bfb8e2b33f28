package main

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/image"
	imagestore "github.com/wardproject/ward/internal/image/store"
)

// fileSpec is one file of a test layer: content and mode (0o644 when 0).
type fileSpec struct {
	data string
	mode int64
}

// tarLayer builds an uncompressed layer from path -> file.
func tarLayer(t *testing.T, files map[string]fileSpec) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		f := files[n]
		if f.mode == 0 {
			f.mode = 0o644
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: f.mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, f.data)
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// storeImage writes an image made of layers and cfg into the store under
// $WARD_ROOT, tagged ref, and returns its record.
func storeImage(t *testing.T, ref string, cfg v1.Config, layers ...v1.Layer) *image.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config = cfg
	cf.OS, cf.Architecture = "linux", imagestore.Platform().Architecture
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	s, err := imagestore.Open(cli.Layout().Images())
	if err != nil {
		t.Fatal(err)
	}
	r, err := image.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Write(context.Background(), img, []name.Reference{r}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// dpkgStanza is one installed package of a dpkg status file.
func dpkgStanza(name, version string) string {
	return "Package: " + name + "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + version + "\n\n"
}

// debianLayers are an old Debian 12 base layer and a layer whose whiteout
// removes a package the base brought (distroless-style status.d).
func debianLayers(t *testing.T) []v1.Layer {
	return []v1.Layer{
		tarLayer(t, map[string]fileSpec{
			"etc/os-release":               {data: "ID=debian\nVERSION_ID=\"12\"\n"},
			"var/lib/dpkg/status":          {data: dpkgStanza("busybox", "1:1.35.0-4")},
			"var/lib/dpkg/status.d/tar":    {data: dpkgStanza("tar", "1.34+dfsg-1.2")},
			"usr/bin/passwd":               {data: "x", mode: 0o4755},
			"var/lib/dpkg/status.d/zlib1g": {data: dpkgStanza("zlib1g", "1:1.2.13.dfsg-1")},
		}),
		tarLayer(t, map[string]fileSpec{"var/lib/dpkg/status.d/.wh.tar": {}}),
	}
}
