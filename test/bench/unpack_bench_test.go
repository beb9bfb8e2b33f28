package bench

import (
	"archive/tar"
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/image/archive"
)

// BenchmarkUnpack200k applies a layer of 200,000 files (in 2,000
// directories, 1 KiB each, as a distribution's /usr is shaped) with
// archive.Apply, which resolves every entry beneath a descriptor of the
// layer, and extracts the same tar file with GNU `tar -x`, alternating,
// on the same disk; it reports the medians and their ratio.
func BenchmarkUnpack200k(b *testing.B) {
	tarBin, err := exec.LookPath("tar")
	if err != nil {
		b.Skip("skipped: GNU tar not installed")
	}
	dir := b.TempDir()
	layer := filepath.Join(dir, "layer.tar")
	writeManyFiles(b, layer, 2000, 100)
	var wardT, tarT []time.Duration
	for i := 0; b.Loop(); i++ {
		target := filepath.Join(dir, fmt.Sprintf("ward-%d", i))
		f, err := os.Open(layer)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := archive.Apply(bufio.NewReaderSize(f, 1<<20), target, archive.Options{}); err != nil {
			b.Fatal(err)
		}
		wardT = append(wardT, time.Since(start))
		f.Close()

		out := filepath.Join(dir, fmt.Sprintf("tar-%d", i))
		if err := os.Mkdir(out, 0o755); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if msg, err := exec.Command(tarBin, "-xf", layer, "-C", out).CombinedOutput(); err != nil {
			b.Fatalf("tar -x: %v: %s", err, msg)
		}
		tarT = append(tarT, time.Since(start))
		os.RemoveAll(target)
		os.RemoveAll(out)
	}
	w, t := median(wardT), median(tarT)
	b.ReportMetric(ms(w), "ward-ms")
	b.ReportMetric(ms(t), "tar-ms")
	b.ReportMetric(float64(w)/float64(t), "ward/tar")
}

// writeManyFiles writes a layer tar of dirs directories of per files each.
func writeManyFiles(b *testing.B, path string, dirs, per int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	tw := tar.NewWriter(bw)
	data := make([]byte, 1024)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := range dirs {
		name := fmt.Sprintf("usr/share/d%04d/", d)
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime}); err != nil {
			b.Fatal(err)
		}
		for i := range per {
			hdr := &tar.Header{Name: fmt.Sprintf("%sf%03d", name, i), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data)), ModTime: mtime}
			if err := tw.WriteHeader(hdr); err != nil {
				b.Fatal(err)
			}
			tw.Write(data)
		}
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
}
