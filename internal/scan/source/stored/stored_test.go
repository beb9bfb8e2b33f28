package stored

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/scan/analyzer"
	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/testutil"
	"github.com/wardproject/ward/internal/testutil/imagearchive"
)

// A stored image is a source.Source like an archive: ward sbom reads a
// busybox image imported from a docker-save/OCI archive, and names the
// layer by its diff ID.
func TestSourceBusyboxImage(t *testing.T) {
	testutil.RequireStaticBusybox(t)
	s := newStore(t)
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	imagearchive.Write(t, archive, "busybox:test", imagearchive.BusyboxLayer(t, "root:x:0:0::/root:/bin/sh\n", "root:x:0:\n"), ispec.ImageConfig{Cmd: []string{"sh"}})
	if _, err := s.Load(ctx, archive, nil); err != nil {
		t.Fatal(err)
	}
	src, err := Open(s, "busybox:test")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rec := src.Image()
	if len(src.Layers()) != 1 || src.Layers()[0].Digest() != rec.Layers[0].DiffID.String() {
		t.Fatalf("layers %v, want the diff ID %s", src.Layers(), rec.Layers[0].DiffID)
	}
	inv, err := analyzer.Run(src, "busybox:test", analyzer.All())
	if err != nil {
		t.Fatal(err)
	}
	// A busybox-only image has no package database: the system is the
	// banner inside the binary, read through the store's layer.
	if inv.Distro.ID != "busybox" || inv.Distro.VersionID == "" {
		t.Fatalf("inventory of a busybox image: %+v", inv)
	}
	// The same archive read directly gives the same result: the store
	// adds nothing and loses nothing.
	arc, err := source.OpenArchive(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer arc.Close()
	if arc.Layers()[0].Digest() != src.Layers()[0].Digest() {
		t.Errorf("archive layer %s, store layer %s", arc.Layers()[0].Digest(), src.Layers()[0].Digest())
	}
	direct, err := analyzer.Run(arc, archive, analyzer.All())
	if err != nil {
		t.Fatal(err)
	}
	if direct.Distro != inv.Distro {
		t.Errorf("archive %+v, store %+v", direct.Distro, inv.Distro)
	}
}

func layerOf(t *testing.T, files map[string]string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, files[n])
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Packages are attributed to the lowest layer whose database holds them,
// and a whiteout in a later layer removes what it names.
func TestSourceLayersAndWhiteouts(t *testing.T) {
	stanza := func(name, version string) string {
		return "Package: " + name + "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + version + "\n\n"
	}
	base := layerOf(t, map[string]string{
		"etc/os-release":               "ID=debian\nVERSION_ID=\"12\"\n",
		"var/lib/dpkg/status":          stanza("busybox", "1:1.35.0-4") + stanza("tar", "1.34+dfsg-1.2+deb12u1"),
		"var/lib/dpkg/status.d/zlib1g": stanza("zlib1g", "1:1.2.13.dfsg-1"),
	})
	added := layerOf(t, map[string]string{
		"var/lib/dpkg/status": stanza("busybox", "1:1.35.0-4") + stanza("tar", "1.34+dfsg-1.2+deb12u1") + stanza("curl", "7.88.1-10+deb12u5"),
	})
	removed := layerOf(t, map[string]string{"var/lib/dpkg/status.d/.wh.zlib1g": ""})
	img, err := mutate.AppendLayers(empty.Image, base, added, removed)
	if err != nil {
		t.Fatal(err)
	}
	s := newStore(t)
	ref, _ := name.ParseReference("example.com/layered:1")
	if _, err := s.Write(ctx, img, []name.Reference{ref}, nil); err != nil {
		t.Fatal(err)
	}
	src, err := Open(s, "example.com/layered:1")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := analyzer.Run(src, "layered", analyzer.All())
	if err != nil {
		t.Fatal(err)
	}
	diffIDs := map[int]string{}
	for i, l := range src.Image().Layers {
		diffIDs[i] = l.DiffID.String()
	}
	want := map[string]string{"busybox": diffIDs[0], "tar": diffIDs[0], "curl": diffIDs[1]}
	got := map[string]string{}
	for _, p := range inv.Packages {
		got[p.Name] = p.Layer
	}
	if len(got) != len(want) {
		t.Errorf("packages %v, want %v (zlib1g whited out)", got, want)
	}
	for n, l := range want {
		if got[n] != l {
			t.Errorf("%s: layer %q, want %q", n, got[n], l)
		}
	}
	if inv.Distro.ID != "debian" || inv.Distro.VersionID != "12" {
		t.Errorf("distro %+v", inv.Distro)
	}
}

func TestSourceUnknownImage(t *testing.T) {
	if _, err := Open(newStore(t), "nothing:here"); err == nil {
		t.Fatal("an unknown image opened as a source")
	}
}

var ctx = context.Background()

func newStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "images"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
