package store

import (
	"archive/tar"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// benchImage is an image of n layers, each a tar of 16 files of 64 kB of
// half-compressible bytes (1 MB per layer), built deterministically.
func benchImage(b *testing.B, n int) v1.Image {
	b.Helper()
	img := empty.Image
	rnd := rand.New(rand.NewPCG(3, 4))
	chunk := make([]byte, 64<<10)
	for l := range n {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for i := range 16 {
			for j := range chunk {
				if j%2 == 0 {
					chunk[j] = byte(rnd.Uint32())
				} else {
					chunk[j] = 'a'
				}
			}
			tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("l%d/f%d", l, i), Mode: 0o644, Size: int64(len(chunk)), Typeflag: tar.TypeReg})
			tw.Write(chunk)
		}
		tw.Close()
		layer, err := tarball.LayerFromReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			b.Fatal(err)
		}
	}
	return img
}

// BenchmarkLoadArchive loads a 24-layer image (24 MB of layer tars) from
// a docker-save archive (gzip layers, as go-containerregistry's tarball
// writes them) and from an OCI layout archive: the cost of finding the
// members of an archive is paid once per archive, not once per layer.
func BenchmarkLoadArchive(b *testing.B) {
	img := benchImage(b, 24)
	dir := b.TempDir()
	save := filepath.Join(dir, "save.tar")
	ref, _ := name.NewTag("example.com/bench:v1")
	if err := tarball.WriteToFile(save, ref, img); err != nil {
		b.Fatal(err)
	}
	ociDir := filepath.Join(dir, "oci")
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img,
		Descriptor: v1.Descriptor{Annotations: map[string]string{"org.opencontainers.image.ref.name": "example.com/bench:oci"}}})
	if _, err := layout.Write(ociDir, idx); err != nil {
		b.Fatal(err)
	}
	oci := filepath.Join(dir, "oci.tar")
	f, err := os.Create(oci)
	if err != nil {
		b.Fatal(err)
	}
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(ociDir)); err != nil {
		b.Fatal(err)
	}
	tw.Close()
	f.Close()
	for _, tc := range []struct{ name, path string }{{"docker-save", save}, {"oci", oci}} {
		fi, _ := os.Stat(tc.path)
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(fi.Size())
			for b.Loop() {
				s, err := Open(filepath.Join(b.TempDir(), "images"))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.Load(ctx, tc.path, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
