package analyzer

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/source"
)

// Fuzz targets for the parsers that read hostile image content: they must
// return errors, never panic or loop. `go test` runs the seeds; run
// `go test -fuzz FuzzX` to explore.

func FuzzSQLite(f *testing.F) {
	f.Add([]byte("SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20"))
	f.Add(append([]byte("SQLite format 3\x00\x02\x00"), make([]byte, 1100)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		db, err := openSQLite(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		if root, err := db.tableRoot("Packages"); err == nil {
			db.walkTable(root, 0, func([]any) error { return nil })
		}
	})
}

func FuzzRPMHeader(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 3, 232, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 'b', 'c', 0})
	f.Add([]byte{0, 0, 0, 2, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		parseRPMHeader(b)
	})
}

func FuzzDpkgStatus(f *testing.F) {
	f.Add("Package: a\nVersion: 1:1.0-1\nSource: b (1.0-1)\nStatus: install ok installed\n\n")
	f.Add("Package: a\n continuation\n\n\nVersion:\n")
	f.Fuzz(func(t *testing.T, s string) {
		parseDpkgStatus(strings.NewReader(s))
	})
}

func FuzzNDB(f *testing.F) {
	f.Add([]byte("RpmP\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00"))
	hdr := make([]byte, 4096)
	copy(hdr, "RpmP\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00")
	f.Add(hdr)
	f.Fuzz(func(t *testing.T, b []byte) {
		readNDB(bytes.NewReader(b), int64(len(b)))
	})
}

func FuzzLanguageManifests(f *testing.F) {
	f.Add("Name: a\nVersion: 1\n\n")
	f.Add(`{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1"}}}`)
	f.Add("# stub: rack 2.2.6.4 ruby lib\n  s.name = \"rack\".freeze\n")
	f.Fuzz(func(t *testing.T, s string) {
		parsePythonMetadata(strings.NewReader(s))
		NPMLock{}.Analyze(source.Entry{Path: "package-lock.json"}, strings.NewReader(s))
		NPM{}.Analyze(source.Entry{Path: "node_modules/a/package.json"}, strings.NewReader(s))
		Gem{}.Analyze(source.Entry{Path: "specifications/a.gemspec"}, strings.NewReader(s))
		Composer{}.Analyze(source.Entry{Path: "vendor/composer/installed.json"}, strings.NewReader(s))
		pomProperties([]byte(s))
		manifestMain([]byte(s))
	})
}
