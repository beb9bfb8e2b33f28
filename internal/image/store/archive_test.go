package store

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/wardproject/ward/internal/image/imagetar/imagetartest"
)

// TestLoadRefusesHostileArchives runs the hostile archives every reader
// of archives refuses (imagetartest.Hostile) through Load: one error line
// naming what is wrong, and nothing stored.
func TestLoadRefusesHostileArchives(t *testing.T) {
	for _, tc := range imagetartest.Hostile() {
		t.Run(tc.Name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "hostile.tar")
			if err := os.WriteFile(p, tc.Archive, 0o644); err != nil {
				t.Fatal(err)
			}
			s := newStore(t)
			loaded, err := s.Load(ctx, p, nil)
			if err == nil || !strings.Contains(err.Error(), tc.Err) || len(loaded) != 0 {
				t.Fatalf("Load = %d images, %v; want an error containing %q", len(loaded), err, tc.Err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			assertNothingStored(t, s)
			assertConsistent(t, s)
		})
	}
}

// TestLoadBothFormatsAgree loads one image from a docker-save archive
// (Docker 25's layout: blobs behind legacy symlinks) and from an OCI
// layout: the same image ID, its reference, and layers that read back.
func TestLoadBothFormatsAgree(t *testing.T) {
	l0, l1 := imagetartest.Layer("etc/hostname", "box\n"), imagetartest.Layer("etc/motd", "hi\n")
	archives := map[string][]byte{
		"docker-save": imagetartest.Tar(imagetartest.DockerSaveMembers("example.com/app:1", l0, l1)...),
		"oci":         imagetartest.Tar(imagetartest.OCIMembers("example.com/app:1", l0, l1)...),
	}
	wantID := imagetartest.Digest(imagetartest.Config(l0, l1))
	for name, data := range archives {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "archive.tar")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			s := newStore(t)
			loaded, err := s.Load(ctx, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(loaded) != 1 || loaded[0].Image.ID.String() != wantID || strings.Join(loaded[0].Refs, ",") != "example.com/app:1" {
				t.Fatalf("loaded %+v, want image %s named example.com/app:1", loaded, wantID)
			}
			got, err := s.Get("example.com/app:1")
			if err != nil || got.ID.String() != wantID || len(got.Layers) != 2 {
				t.Fatalf("Get = %+v, %v", got, err)
			}
			for i, l := range []([]byte){l0, l1} {
				if got.Layers[i].DiffID.String() != imagetartest.Digest(l) {
					t.Errorf("layer %d diff ID %s, want %s", i, got.Layers[i].DiffID, imagetartest.Digest(l))
				}
			}
			assertConsistent(t, s)
		})
	}
}

// TestLoadCompressedArchives loads `docker save | gzip` (and zstd), as
// docker load does: the same image as the plain archive, and no
// decompressed copy left in the store's directory, loaded or refused.
func TestLoadCompressedArchives(t *testing.T) {
	l0 := imagetartest.Layer("etc/hostname", "box\n")
	plain := imagetartest.Tar(imagetartest.DockerSaveMembers("example.com/app:1", l0)...)
	zenc, _ := zstd.NewWriter(nil)
	hostile := imagetartest.Hostile()[1]
	tests := []struct {
		name string
		data []byte
		err  string
	}{
		{"gzip", gzipped(t, plain), ""},
		{"zstd", zenc.EncodeAll(plain, nil), ""},
		{"gzip hostile", gzipped(t, hostile.Archive), hostile.Err},
		{"gzip truncated", gzipped(t, plain)[:200], "decompress"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "archive.tar.gz")
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			s := newStore(t)
			loaded, err := s.Load(ctx, p, nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Load = %v, want an error containing %q", err, tc.err)
				}
				assertNothingStored(t, s)
			} else if err != nil || len(loaded) != 1 || loaded[0].Image.ID.String() != imagetartest.Digest(imagetartest.Config(l0)) {
				t.Fatalf("Load = %+v, %v", loaded, err)
			}
			entries, _ := os.ReadDir(s.Dir())
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".load-") {
					t.Errorf("left in the store: %s", e.Name())
				}
			}
			assertConsistent(t, s)
		})
	}
}

// TestLoadMultiPlatformArchive stores the image of a multi-platform OCI
// archive for the platform ward runs, wherever its index lists it, and
// refuses an archive with none, storing nothing.
func TestLoadMultiPlatformArchive(t *testing.T) {
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	mine, theirs := imagetartest.Layer("arch", runtime.GOARCH), imagetartest.Layer("arch", other)
	for _, tc := range []struct {
		name   string
		images []imagetartest.ForPlatform
		err    string
	}{
		{"this platform second", []imagetartest.ForPlatform{{OS: "linux", Arch: other, Layer: theirs}, {OS: "linux", Arch: runtime.GOARCH, Layer: mine}}, ""},
		{"no image for this platform", []imagetartest.ForPlatform{{OS: "linux", Arch: other, Layer: theirs}}, "no image for linux/" + runtime.GOARCH},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "multi.tar")
			if err := os.WriteFile(p, imagetartest.Tar(imagetartest.MultiPlatform("example.com/multi:1", tc.images...)...), 0o644); err != nil {
				t.Fatal(err)
			}
			s := newStore(t)
			loaded, err := s.Load(ctx, p, nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Load = %v, want %q", err, tc.err)
				}
				assertNothingStored(t, s)
				return
			}
			if err != nil || len(loaded) != 1 || loaded[0].Image.Layers[0].DiffID.String() != imagetartest.Digest(mine) {
				t.Fatalf("Load = %+v, %v; want the image whose layer is %s", loaded, err, imagetartest.Digest(mine))
			}
			if got, err := s.Get("example.com/multi:1"); err != nil || got.ID != loaded[0].Image.ID {
				t.Errorf("Get = %v, %v", got, err)
			}
		})
	}
}
