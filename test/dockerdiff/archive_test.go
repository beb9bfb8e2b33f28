package dockerdiff

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/source"
)

// TestDockerSavedArchiveReadByBoth takes what Docker 20.10's `docker
// save` writes of two images (legacy <id>/layer.tar files, <id>.json
// configs, repositories, manifest.json) through the one archive reader
// (internal/image/imagetar) from both of its sides: `ward load` stores
// each image under the ID and tag docker reports, and the scanner's
// archive source walks the same layers without storing them.
func TestDockerSavedArchiveReadByBoth(t *testing.T) {
	e := setUp(t)
	archive := filepath.Join(t.TempDir(), "saved.tar")
	if o := run(nil, append(e.docker, "save", "-o", archive, image, userImage)...); o.code != 0 {
		t.Fatalf("docker save: exit %d: %s", o.code, o.stderr)
	}
	root := filepath.Join(t.TempDir(), "ward")
	ward := append(slices.Clone(e.ward[:1]), "--root", root)
	if o := run(nil, append(ward, "load", "-q", "-i", archive)...); o.code != 0 {
		t.Fatalf("ward load of docker's archive: exit %d: %s", o.code, o.stderr)
	}
	for _, ref := range []string{image, userImage} {
		want := run(nil, append(e.docker, "image", "inspect", "-f", "{{.Id}}", ref)...)
		got := run(nil, append(ward, "image", "inspect", "-f", "{{.Id}}", ref)...)
		if want.code != 0 || got.code != 0 || strings.TrimSpace(got.stdout) != strings.TrimSpace(want.stdout) {
			t.Errorf("%s: ward image ID %q (exit %d: %s), docker's %q (exit %d)", ref, got.stdout, got.code, got.stderr, want.stdout, want.code)
		}
	}

	src, err := source.OpenArchive(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if src.Kind() != "docker-archive" || len(src.Layers()) == 0 || len(src.Config()) == 0 {
		t.Fatalf("scanner sees a %s with %d layers", src.Kind(), len(src.Layers()))
	}
	found := false
	for _, l := range src.Layers() {
		if !strings.HasPrefix(l.Digest(), "sha256:") {
			t.Errorf("layer named %q, want its diff ID", l.Digest())
		}
		err := l.Walk(func(en source.Entry) error {
			found = found || en.Path == "bin/busybox"
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !found {
		t.Error("the scanner did not see bin/busybox in the saved layers")
	}
}
