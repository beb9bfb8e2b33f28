package scantest

import (
	"archive/zip"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
)

var (
	changelogHeader = regexp.MustCompile(`^([a-z0-9][a-z0-9+.\-]+) \(([^)\s]+)\) [^;]*;`)
	cveID           = regexp.MustCompile(`CVE-\d{4}-\d{4,}`)
)

// ChangelogRecords builds OSV records (ecosystem Debian:12) from the Debian
// changelogs under each root's usr/share/doc: every CVE a changelog entry
// names is taken as fixed in that entry's version of the source package
// (the oldest entry naming it, when several do). These are real facts, as
// the Debian maintainers wrote them, in the shape of osv.dev's records.
func ChangelogRecords(roots ...string) ([][]byte, error) {
	type key struct{ cve, pkg string }
	fixed := map[key]string{}
	seenSource := map[string]bool{}
	for _, root := range roots {
		paths, _ := filepath.Glob(filepath.Join(root, "usr/share/doc/*/changelog.Debian.gz"))
		for _, p := range paths {
			if err := readChangelog(p, seenSource, func(pkg, version, cve string) {
				fixed[key{cve, pkg}] = version // entries run newest first: keep the oldest
			}); err != nil {
				return nil, err
			}
		}
	}
	byCVE := map[string][]key{}
	for k := range fixed {
		byCVE[k.cve] = append(byCVE[k.cve], k)
	}
	cves := make([]string, 0, len(byCVE))
	for c := range byCVE {
		cves = append(cves, c)
	}
	sort.Strings(cves)
	var out [][]byte
	for _, c := range cves {
		keys := byCVE[c]
		sort.Slice(keys, func(i, j int) bool { return keys[i].pkg < keys[j].pkg })
		var affected []any
		for _, k := range keys {
			affected = append(affected, map[string]any{
				"package": map[string]string{"ecosystem": "Debian:12", "name": k.pkg},
				"ranges": []any{map[string]any{"type": "ECOSYSTEM", "events": []any{
					map[string]string{"introduced": "0"}, map[string]string{"fixed": fixed[k]},
				}}},
			})
		}
		b, err := json.Marshal(map[string]any{
			"id": "DEBIAN-" + c, "modified": "2026-01-01T00:00:00Z", "upstream": []string{c}, "affected": affected,
		})
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// readChangelog calls fn for each CVE named in a changelog; a source
// package whose changelog was already read (shared by its binaries) is
// skipped.
func readChangelog(path string, seenSource map[string]bool, fn func(pkg, version, cve string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var pkg, version string
	first := true
	for sc.Scan() {
		line := sc.Text()
		if m := changelogHeader.FindStringSubmatch(line); m != nil {
			if first {
				if seenSource[m[1]] {
					return nil
				}
				seenSource[m[1]] = true
				first = false
			}
			pkg, version = m[1], m[2]
			continue
		}
		if pkg == "" {
			continue
		}
		for _, c := range cveID.FindAllString(line, -1) {
			fn(pkg, version, c)
		}
	}
	return sc.Err()
}

// PaddingRecords makes n synthetic records for packages no image has, so
// benchmarks can run against a database the size of osv.dev's Debian dump
// (tens of thousands of records) with only real records able to match.
func PaddingRecords(n int) [][]byte {
	out := make([][]byte, 0, n)
	for i := range n {
		out = append(out, fmt.Appendf(nil,
			`{"id":"PAD-%d","modified":"2026-01-01T00:00:00Z","summary":"synthetic padding","affected":[{"package":{"ecosystem":"Debian:12","name":"pad-%d"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.%d-1"}]}]}]}`,
			i, i%20000, i))
	}
	return out
}

// WriteZip writes records as an osv.dev-style all.zip at path.
func WriteZip(path string, records [][]byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for i, r := range records {
		w, err := zw.Create(fmt.Sprintf("%d.json", i))
		if err != nil {
			f.Close()
			return err
		}
		if _, err := w.Write(r); err != nil {
			f.Close()
			return err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// mixedEcosystems are the ecosystems MixedPaddingRecords spreads over.
var mixedEcosystems = []string{"Debian:12", "npm", "PyPI", "Maven", "RubyGems", "Go", "crates.io", "Packagist"}

// MixedPaddingRecords returns n synthetic records spread over every
// ecosystem the mixed rootfs holds, 20,000 package names in each, so a
// scan's lookups land in a database the size of osv.dev's full dump.
func MixedPaddingRecords(n int) [][]byte {
	out := make([][]byte, 0, n)
	for i := range n {
		eco := mixedEcosystems[i%len(mixedEcosystems)]
		out = append(out, fmt.Appendf(nil,
			`{"id":"MIXPAD-%d","modified":"2026-01-01T00:00:00Z","summary":"synthetic padding","affected":[{"package":{"ecosystem":%q,"name":"pad-%d"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.%d.0"}]}]}]}`,
			i, eco, i%20000, i))
	}
	return out
}
