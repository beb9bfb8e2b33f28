package matcher

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/scan/analyzer"
	"github.com/wardproject/ward/internal/scan/scantest"
	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// benchDB imports the Debian records that this host's and the minbase
// rootfs' changelogs yield, plus padding synthetic records, once.
func benchDB(b *testing.B, root string, padding int) (dir string, records int) {
	recs, err := scantest.ChangelogRecords("/", root)
	if err != nil {
		b.Fatal(err)
	}
	recs = append(recs, scantest.PaddingRecords(padding)...)
	dir = b.TempDir()
	zipPath := filepath.Join(b.TempDir(), "all.zip")
	if err := scantest.WriteZip(zipPath, recs); err != nil {
		b.Fatal(err)
	}
	db, err := vulndb.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Import(zipPath, time.Now()); err != nil {
		b.Fatal(err)
	}
	return dir, len(recs)
}

// scanOnce is `ward scan DIR`: open the database, analyze, match.
func scanOnce(b *testing.B, dir, root string) int {
	db, err := vulndb.OpenReadOnly(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	src, err := source.Open(root)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	inv, err := analyzer.Run(src, root, analyzer.All())
	if err != nil {
		b.Fatal(err)
	}
	findings, err := Match(inv, db)
	if err != nil {
		b.Fatal(err)
	}
	return len(findings)
}

// BenchmarkScanMinbase scans the Debian 12 minbase rootfs against every
// Debian record the local changelogs yield (a few thousand, real).
func BenchmarkScanMinbase(b *testing.B) {
	root := scantest.MinbaseRootfs(b)
	dir, n := benchDB(b, root, 0)
	b.ReportAllocs()
	for b.Loop() {
		scanOnce(b, dir, root)
	}
	b.ReportMetric(float64(n), "records")
}

// BenchmarkScanMinbaseLargeDB adds synthetic records to reach the size of
// osv.dev's Debian dump.
func BenchmarkScanMinbaseLargeDB(b *testing.B) {
	root := scantest.MinbaseRootfs(b)
	dir, n := benchDB(b, root, 60000)
	b.ReportAllocs()
	for b.Loop() {
		scanOnce(b, dir, root)
	}
	b.ReportMetric(float64(n), "records")
}

// BenchmarkScanMixed500k scans the mixed rootfs (every ecosystem ward
// reads) against a 500,000-record database: the Debian records of the
// local changelogs, advisories for the mixed root's npm packages, and
// synthetic records spread over all eight ecosystems. The target
// is under 1 s for `ward scan`.
func BenchmarkScanMixed500k(b *testing.B) {
	root := scantest.MixedRootfs(b)
	recs, err := scantest.ChangelogRecords("/", root)
	if err != nil {
		b.Fatal(err)
	}
	recs = append(recs,
		[]byte(`{"id":"GHSA-p6mc-m468-83gw","modified":"2024-01-01T00:00:00Z","database_specific":{"severity":"HIGH"},"affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.19"}]}]}]}`),
		[]byte(`{"id":"GHSA-vh95-rmgr-6w4m","modified":"2024-01-01T00:00:00Z","database_specific":{"severity":"MODERATE"},"affected":[{"package":{"ecosystem":"npm","name":"minimist"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.2.1"}]}]}]}`))
	recs = append(recs, scantest.MixedPaddingRecords(500000-len(recs))...)
	dir := b.TempDir()
	zipPath := filepath.Join(b.TempDir(), "all.zip")
	if err := scantest.WriteZip(zipPath, recs); err != nil {
		b.Fatal(err)
	}
	db, err := vulndb.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Import(zipPath, time.Now()); err != nil {
		b.Fatal(err)
	}
	db.Close()
	b.ReportAllocs()
	b.ResetTimer()
	findings := 0
	for b.Loop() {
		findings = scanOnce(b, dir, root)
	}
	b.ReportMetric(float64(len(recs)), "records")
	b.ReportMetric(float64(findings), "findings")
}
