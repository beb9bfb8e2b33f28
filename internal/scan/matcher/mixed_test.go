package matcher

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/scan/analyzer"
	"github.com/wardproject/ward/internal/scan/scantest"
	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// TestMixedRootMatchesEveryEcosystem scans the mixed root (real Debian,
// npm, Go and hand-made Rust and Composer packages) against records the
// test writes for each ecosystem: each record meant to hit does, each
// meant to miss does not, and the coverage is complete.
func TestMixedRootMatchesEveryEcosystem(t *testing.T) {
	root := scantest.MixedRootfs(t)
	eco := func(events string) string { return `,"ranges":[{"type":"ECOSYSTEM","events":[` + events + `]}]` }
	semver := func(events string) string { return `,"ranges":[{"type":"SEMVER","events":[` + events + `]}]` }
	records := []string{
		osvRecord("HIT-npm-lodash", "npm", "lodash", semver(`{"introduced":"0"},{"fixed":"4.17.19"}`), ""),
		osvRecord("HIT-npm-minimist", "npm", "minimist", semver(`{"introduced":"0"},{"fixed":"0.2.1"}`), ""),
		osvRecord("MISS-npm-minimist", "npm", "minimist", semver(`{"introduced":"1.0.0"},{"fixed":"1.2.6"}`), ""),
		osvRecord("HIT-pypi-requests", "PyPI", "requests", eco(`{"introduced":"2.3.0"},{"fixed":"2.31.0"}`), ""),
		osvRecord("MISS-pypi-requests", "PyPI", "requests", eco(`{"introduced":"0"},{"fixed":"2.20.0"}`), ""),
		osvRecord("HIT-gem-rack", "RubyGems", "rack", eco(`{"introduced":"2.0.0"},{"fixed":"3.0.0"}`), ""),
		osvRecord("MISS-gem-rack", "RubyGems", "rack", eco(`{"introduced":"0"},{"fixed":"2.2.22"}`), ""),
		osvRecord("HIT-maven-lang3", "Maven", "org.apache.commons:commons-lang3", eco(`{"introduced":"3.0"},{"fixed":"3.18.0"}`), ""),
		osvRecord("MISS-maven-lang3", "Maven", "org.apache.commons:commons-lang3", eco(`{"introduced":"0"},{"last_affected":"3.11"}`), ""),
		osvRecord("HIT-crates-smallvec", "crates.io", "smallvec", semver(`{"introduced":"1.6.0"},{"fixed":"1.6.1"}`), ""),
		osvRecord("MISS-crates-time", "crates.io", "time", semver(`{"introduced":"0.2.0"},{"fixed":"0.2.23"}`), ""),
		osvRecord("HIT-packagist-psr7", "Packagist", "guzzlehttp/psr7", eco(`{"introduced":"0"},{"fixed":"1.8.4"}`), ""),
		osvRecord("MISS-packagist-monolog", "Packagist", "monolog/monolog", eco(`{"introduced":"1.0.0"},{"fixed":"1.25.2"}`), ""),
		osvRecord("MISS-go-stdlib", "Go", "stdlib", semver(`{"introduced":"0"},{"fixed":"1.20.0"}`), ""),
		osvRecord("MISS-debian-tar", "Debian:12", "tar", eco(`{"introduced":"0"},{"fixed":"1.30-1"}`), ""),
	}
	dir := t.TempDir()
	for i, r := range records {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d.json", i)), []byte(r), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db, err := vulndb.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Import(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	src, err := source.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	inv, err := analyzer.Run(src, root, analyzer.All())
	if err != nil {
		t.Fatal(err)
	}
	findings, err := Match(inv, db)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		got = append(got, f.ID)
	}
	slices.Sort(got)
	var want []string
	for _, r := range records {
		if id := r[strings.Index(r, `"id":"`)+6:]; strings.HasPrefix(id, "HIT-") {
			want = append(want, id[:strings.Index(id, `"`)])
		}
	}
	slices.Sort(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findings %v, want %v", got, want)
	}
	c, err := Cover(inv, db)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Complete() {
		t.Errorf("coverage of the mixed root: %v", c.Gaps())
	}
}
