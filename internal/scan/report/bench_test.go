package report

import (
	"io"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/scan/analyzer"
	"github.com/wardproject/ward/internal/scan/scantest"
	"github.com/wardproject/ward/internal/scan/source"
)

// BenchmarkSBOMMinbase is `ward sbom DIR --format cyclonedx-json` on the
// Debian 12 minbase rootfs: walk, parse, write.
func BenchmarkSBOMMinbase(b *testing.B) {
	root := scantest.MinbaseRootfs(b)
	b.ReportAllocs()
	for b.Loop() {
		src, err := source.Open(root)
		if err != nil {
			b.Fatal(err)
		}
		inv, err := analyzer.Run(src, root, analyzer.All())
		src.Close()
		if err != nil {
			b.Fatal(err)
		}
		if err := WriteSBOM(io.Discard, inv, "cyclonedx-json", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
