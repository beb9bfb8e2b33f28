package imagetar

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/image/imagetar/imagetartest"
)

// FuzzArchive feeds bytes to the archive reader as every caller uses it:
// open, resolve each image (for a platform and for none), read each
// layer. Whatever the bytes, it returns (no panic, no hang), every error
// is one line, and every layer it hands out has the size it announced.
func FuzzArchive(f *testing.F) {
	l0, l1 := imagetartest.Layer("etc/hostname", "box\n"), imagetartest.Layer("etc/motd", "hi\n")
	f.Add(imagetartest.Tar(imagetartest.DockerSaveMembers("example.com/app:1", l0, l1)...))
	f.Add(imagetartest.Tar(imagetartest.OCIMembers("example.com/app:1", l0, l1)...))
	for _, tc := range imagetartest.Hostile() {
		if len(tc.Archive) < 1<<20 {
			f.Add(tc.Archive)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		p := filepath.Join(t.TempDir(), "in.tar")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		oneLine := func(err error) {
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		}
		a, err := Open(p)
		oneLine(err)
		if err != nil {
			return
		}
		defer a.Close()
		for _, platform := range []*v1.Platform{nil, {OS: "linux", Architecture: "amd64"}} {
			for i := range a.Len() {
				img, err := a.Image(i, platform)
				oneLine(err)
				if err != nil {
					continue
				}
				for _, l := range img.Layers {
					r, err := a.OpenLayer(l)
					oneLine(err)
					if err != nil {
						continue
					}
					if n, err := io.Copy(io.Discard, r); err != nil || n != l.Size {
						t.Errorf("layer %s: read %d bytes (%v), announced %d", l.Name, n, err, l.Size)
					}
				}
			}
		}
	})
}
