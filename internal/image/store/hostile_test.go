package store

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// hostileLayers are layer tars Docker refuses at load: issue 12, case 5.
func hostileLayers(t *testing.T) map[string]struct {
	tar   []byte
	entry string // the entry the error must name
} {
	t.Helper()
	mk := func(cut int, hdrs ...*tar.Header) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, h := range hdrs {
			data := ""
			if h.Typeflag == tar.TypeReg {
				data = strings.Repeat("x", 3000)
				h.Size = int64(len(data))
			}
			h.Mode = 0o644
			h.Format = tar.FormatPAX
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte(data))
		}
		tw.Close()
		b := buf.Bytes()
		return b[:len(b)-cut]
	}
	reg := func(n string) *tar.Header { return &tar.Header{Name: n, Typeflag: tar.TypeReg} }
	return map[string]struct {
		tar   []byte
		entry string
	}{
		"dotdot entry":     {mk(0, reg("ok"), reg("../../etc/cron.d/x")), "../../etc/cron.d/x"},
		"hard link out":    {mk(0, &tar.Header{Name: "pw", Typeflag: tar.TypeLink, Linkname: "/etc/shadow"}), "pw"},
		"bad whiteout":     {mk(0, reg("d/.wh..")), "d/.wh.."},
		"over-long path":   {mk(0, reg(strings.Repeat("a/", 2100)+"f")), "a/a/a/"},
		"over-long name":   {mk(0, reg(strings.Repeat("n", 300))), "nnnn"},
		"truncated in tar": {mk(1024+2048, reg("first"), reg("cut")), "cut"},
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// saveArchiveOf writes a docker-save archive whose one layer is stored as
// given (plain or gzip) and whose config vouches for diff.
func saveArchiveOf(t *testing.T, stored []byte, diff v1.Hash) string {
	cfg, _ := json.Marshal(v1.ConfigFile{Architecture: "amd64", OS: "linux",
		RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{diff}}})
	id, _, _ := v1.SHA256(bytes.NewReader(cfg))
	manifest, _ := json.Marshal([]map[string]any{{
		"Config": "config.json", "RepoTags": []string{"hostile:v1"}, "Layers": []string{"layer.tar"},
	}})
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{"layer.tar", stored}, {"config.json", cfg}, {"manifest.json", manifest}} {
		tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f.data))})
		tw.Write(f.data)
	}
	tw.Close()
	_ = id
	p := filepath.Join(t.TempDir(), "hostile.tar")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// assertNothingStored: no image, no blob, no temporary file.
func assertNothingStored(t *testing.T, s *Store) {
	t.Helper()
	if imgs, _ := s.List(); len(imgs) != 0 {
		t.Errorf("%d images recorded", len(imgs))
	}
	entries, _ := os.ReadDir(filepath.Join(s.Dir(), "blobs", "sha256"))
	for _, e := range entries {
		t.Errorf("blob left: %s", e.Name())
	}
}

// TestLoadImportPullRefuseHostileLayers: a hostile or corrupt layer is
// refused when it comes in (docker-save plain and gzip, ward import, and
// the path pull and OCI archives take), with an error naming the entry,
// and nothing of it is stored.
func TestLoadImportPullRefuseHostileLayers(t *testing.T) {
	for name, h := range hostileLayers(t) {
		diff, _, _ := v1.SHA256(bytes.NewReader(h.tar))
		check := func(t *testing.T, s *Store, err error) {
			t.Helper()
			if err == nil || !strings.Contains(err.Error(), "layer entry \""+h.entry) {
				t.Fatalf("error = %v, want one naming entry %q", err, h.entry)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			assertNothingStored(t, s)
		}
		t.Run(name+"/load plain", func(t *testing.T) {
			s := newStore(t)
			_, err := s.Load(ctx, saveArchiveOf(t, h.tar, diff), nil)
			check(t, s, err)
		})
		t.Run(name+"/load gzip", func(t *testing.T) {
			s := newStore(t)
			_, err := s.Load(ctx, saveArchiveOf(t, gzipped(t, h.tar), diff), nil)
			check(t, s, err)
		})
		t.Run(name+"/import", func(t *testing.T) {
			s := newStore(t)
			_, err := s.Import(ctx, bytes.NewReader(gzipped(t, h.tar)), ImportOptions{}, nil)
			check(t, s, err)
		})
		t.Run(name+"/pull", func(t *testing.T) {
			s := newStore(t)
			// A good layer first: it must not stay either.
			good, err := tarball.LayerFromReader(bytes.NewReader(layerTarOf(t, "good")))
			if err != nil {
				t.Fatal(err)
			}
			bad, err := tarball.LayerFromReader(bytes.NewReader(h.tar))
			if err != nil {
				t.Fatal(err)
			}
			img, err := mutate.AppendLayers(empty.Image, good, bad)
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Write(ctx, img, nil, nil)
			check(t, s, err)
		})
	}
}
