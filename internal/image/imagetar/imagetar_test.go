package imagetar

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/image/imagetar/imagetartest"
)

func writeArchive(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "archive.tar")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// openFirst opens an archive and resolves its first image, as every
// reader does before reading a layer.
func openFirst(t *testing.T, data []byte, platform *v1.Platform) (*Archive, *Image, error) {
	t.Helper()
	a, err := Open(writeArchive(t, data))
	if err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() { a.Close() })
	img, err := a.Image(0, platform)
	return a, img, err
}

func TestHostileArchivesRefused(t *testing.T) {
	for _, tc := range imagetartest.Hostile() {
		t.Run(tc.Name, func(t *testing.T) {
			_, _, err := openFirst(t, tc.Archive, nil)
			if err == nil || !strings.Contains(err.Error(), tc.Err) {
				t.Fatalf("err = %v, want one containing %q", err, tc.Err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func readAll(t *testing.T, a *Archive, l Layer) string {
	t.Helper()
	r, err := a.OpenLayer(l)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDockerSave(t *testing.T) {
	l0, l1 := imagetartest.Layer("etc/hostname", "box\n"), imagetartest.Layer("etc/motd", "hi\n")
	ms := imagetartest.DockerSaveMembers("example.com/app:1", l0, l1)
	// An OCI layout beside manifest.json (Docker 25+): manifest.json wins.
	ms = append(ms, imagetartest.Member{Name: "oci-layout", Data: []byte("{}")}, imagetartest.Member{Name: "index.json", Data: []byte("{}")})
	// The legacy format's repositories file is read by nobody, harmlessly.
	ms = append(ms, imagetartest.Member{Name: "repositories", Data: []byte(`{"example.com/app":{"1":"x"}}`)})
	a, img, err := openFirst(t, imagetartest.Tar(ms...), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Format() != DockerSave || a.Len() != 1 {
		t.Fatalf("format %s with %d images, want docker-archive with 1", a.Format(), a.Len())
	}
	if strings.Join(img.Names, ",") != "example.com/app:1" || string(img.Config) != string(imagetartest.Config(l0, l1)) || img.Manifest != nil {
		t.Errorf("image %+v", img)
	}
	for i, want := range [][]byte{l0, l1} {
		l := img.Layers[i]
		if l.Digest != imagetartest.Digest(want) || l.DiffID != imagetartest.Digest(want) || l.Size != int64(len(want)) {
			t.Errorf("layer %d: %+v, want digest and diff ID %s", i, l, imagetartest.Digest(want))
		}
		if readAll(t, a, l) != string(want) {
			t.Errorf("layer %d content differs", i)
		}
	}
}

func TestLegacyLayerPaths(t *testing.T) {
	// Before Docker 25: <id>/layer.tar is the file itself; a hard link
	// shares a layer between two images of one archive.
	l := imagetartest.Layer("etc/hostname", "box\n")
	cfg := imagetartest.Config(l)
	manifest, _ := json.Marshal([]any{
		map[string]any{"Config": "c.json", "RepoTags": []string{"a:1"}, "Layers": []string{"abc/layer.tar"}},
		map[string]any{"Config": "c.json", "RepoTags": []string{"b:1"}, "Layers": []string{"def/layer.tar"}},
	})
	a, err := Open(writeArchive(t, imagetartest.Tar(
		imagetartest.Member{Name: "./abc/layer.tar", Data: l},
		imagetartest.Member{Name: "def/layer.tar", Type: tar.TypeLink, Link: "abc/layer.tar"},
		imagetartest.Member{Name: "c.json", Data: cfg},
		imagetartest.Member{Name: "manifest.json", Data: manifest})))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := range a.Len() {
		img, err := a.Image(i, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Layers[0]; got.Digest != "" || got.DiffID != imagetartest.Digest(l) || readAll(t, a, got) != string(l) {
			t.Errorf("image %d layer %+v", i, got)
		}
	}
	if _, err := a.Image(2, nil); err == nil {
		t.Error("Image(2) of a two-image archive succeeded")
	}
}

func TestOCILayoutPlatforms(t *testing.T) {
	amd, arm := imagetartest.Layer("arch", "amd64\n"), imagetartest.Layer("arch", "arm64\n")
	// containerd names the image with a full reference; ref.name may be a
	// bare tag, which names nothing.
	data := imagetartest.Tar(imagetartest.MultiPlatform("example.com/multi:1",
		imagetartest.ForPlatform{OS: "linux", Arch: "amd64", Layer: amd}, imagetartest.ForPlatform{OS: "linux", Arch: "arm64", Layer: arm})...)
	tests := []struct {
		platform *v1.Platform
		want     []byte
		err      string
	}{
		{nil, amd, ""},
		{&v1.Platform{OS: "linux", Architecture: "arm64"}, arm, ""},
		{&v1.Platform{OS: "linux", Architecture: "amd64"}, amd, ""},
		{&v1.Platform{OS: "linux", Architecture: "s390x"}, nil, "no image for linux/s390x in the index"},
	}
	for _, tc := range tests {
		name := "first"
		if tc.platform != nil {
			name = tc.platform.String()
		}
		t.Run(name, func(t *testing.T) {
			a, img, err := openFirst(t, data, tc.platform)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrNoPlatform) {
					t.Fatalf("err = %v, want %q (ErrNoPlatform)", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Format() != OCILayout || strings.Join(img.Names, ",") != "example.com/multi:1" {
				t.Errorf("format %s, names %v", a.Format(), img.Names)
			}
			if img.MediaType != "application/vnd.oci.image.manifest.v1+json" || imagetartest.Digest(img.Manifest) != img.ManifestDigest {
				t.Errorf("manifest %s of type %s", img.ManifestDigest, img.MediaType)
			}
			if len(img.Layers) != 1 || readAll(t, a, img.Layers[0]) != string(tc.want) || img.Layers[0].Digest != imagetartest.Digest(tc.want) {
				t.Errorf("layers %+v", img.Layers)
			}
		})
	}
}

func TestNotImage(t *testing.T) {
	a, err := Open(writeArchive(t, imagetartest.Layer("etc/hostname", "box\n")))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Format() != NotImage || a.Len() != 0 || !a.Has("etc/hostname") || a.Has("../etc/hostname/..") {
		t.Errorf("format %s, %d images", a.Format(), a.Len())
	}
	if _, err := a.Image(0, nil); err == nil {
		t.Error("Image(0) of a rootfs tar succeeded")
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"manifest.json": "manifest.json", "./manifest.json": "manifest.json", "/blobs//sha256/x": "blobs/sha256/x",
		"a/../b": "b", "../b": "", "a/../../b": "", "..": "", ".": "", "": "", "/": "",
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}
