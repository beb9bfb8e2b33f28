package imageworkload

import (
	"testing"

	"github.com/wardproject/ward/internal/scan/scantest"
	"github.com/wardproject/ward/internal/scan/source"
)

// BenchmarkInspectMinbase measures what ward check reads from an image's
// files (package analyzers and the setuid/package-manager census, in one
// walk) over a Debian 12 minbase root filesystem, without decompression.
func BenchmarkInspectMinbase(b *testing.B) {
	root := scantest.MinbaseRootfs(b)
	src, err := source.OpenDir(root)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c, err := Inspect(src, root, nil)
		if err != nil || c.Distro != "debian" || len(c.Setuid) == 0 {
			b.Fatalf("inspect: %v, %+v", err, c)
		}
	}
}
