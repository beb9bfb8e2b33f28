package store

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/wardproject/ward/internal/image/imagetar/imagetartest"
)

// FuzzLoadArchive feeds archives to Load, the reader of docker-save and
// OCI layout archives. Whatever the bytes, Load returns (no panic, no
// hang); when it fails nothing is stored; when it succeeds every blob the
// store names is there with its digest.
func FuzzLoadArchive(f *testing.F) {
	layer := []byte{}
	{
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755})
		tw.WriteHeader(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5})
		tw.Write([]byte("root\n"))
		tw.Close()
		layer = buf.Bytes()
	}
	p, _ := dockerSaveLike(f, layer, "fuzz:v1")
	if data, err := os.ReadFile(p); err == nil {
		f.Add(data)
	}
	img, err := random.Image(512, 1)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img,
		Descriptor: v1.Descriptor{Annotations: map[string]string{"org.opencontainers.image.ref.name": "fuzz:v1"}}})
	if _, err := layout.Write(dir, idx); err == nil {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		if tw.AddFS(os.DirFS(dir)) == nil && tw.Close() == nil {
			f.Add(buf.Bytes())
		}
	}
	f.Add([]byte("not an archive"))
	// The archives every reader refuses, and a compressed docker-save.
	for _, tc := range imagetartest.Hostile() {
		if len(tc.Archive) < 1<<20 {
			f.Add(tc.Archive)
		}
	}
	if data, err := os.ReadFile(p); err == nil {
		f.Add(gzipped(nil, data))
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "in.tar")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(filepath.Join(dir, "images"))
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := s.Load(ctx, path, nil)
		if err != nil && len(loaded) == 0 {
			assertNothingStored(t, s)
		}
		assertConsistent(t, s)
	})
}
