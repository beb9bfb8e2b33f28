package verbs

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/scan/vulndb"
)

func TestWarnIfOld(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		age  time.Duration
		warn bool
	}{{time.Hour, false}, {DBMaxAge + time.Hour, true}} {
		var buf bytes.Buffer
		WarnIfOld(&buf, vulndb.Status{Updated: now.Add(-tc.age)}, now)
		if (buf.Len() > 0) != tc.warn {
			t.Errorf("age %v: warning %q, want warning %v", tc.age, buf.String(), tc.warn)
		}
	}
}

func TestWithOutput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sbom.json")
	var stdout bytes.Buffer
	if err := withOutput(&stdout, "", func(w io.Writer) error { _, err := io.WriteString(w, "to stdout"); return err }); err != nil || stdout.String() != "to stdout" {
		t.Fatalf("withOutput to stdout: %v, %q", err, stdout.String())
	}
	if err := withOutput(&stdout, path, func(w io.Writer) error { _, err := io.WriteString(w, "first"); return err }); err != nil {
		t.Fatal(err)
	}
	// A write that fails leaves the file as it was, and no temporary file.
	if err := withOutput(&stdout, path, func(w io.Writer) error { io.WriteString(w, "half"); return errors.New("broken") }); err == nil {
		t.Error("a failed write gave no error")
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Errorf("file after a failed write: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if err := withOutput(&stdout, filepath.Join(dir, "no", "such", "dir", "f"), func(io.Writer) error { return nil }); err == nil || !strings.HasPrefix(err.Error(), "create ") {
		t.Errorf("withOutput into a missing directory: %v", err)
	}
	if dirOf("sbom.json") != "." || dirOf("/tmp/x/sbom.json") != "/tmp/x/" {
		t.Error("dirOf")
	}
}

func TestWriteDBStatus(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	st := vulndb.Status{Path: "/r/vulndb/osv.db", Records: 3, Updated: now.Add(-90 * time.Minute),
		Ecosystems: map[string]int{"Go": 2, "Debian:12": 5}}
	var buf bytes.Buffer
	if err := writeDBStatus(&buf, st, now); err != nil {
		t.Fatal(err)
	}
	// One column, as wide as its widest cell plus two spaces; the
	// ecosystems sorted.
	want := "database:             /r/vulndb/osv.db\n" +
		"records:              3\n" +
		"updated:              2026-05-31T22:30:00Z (1h30m0s ago)\n" +
		"ecosystem Debian:12:  5 package entries\n" +
		"ecosystem Go:         2 package entries\n"
	if buf.String() != want {
		t.Errorf("status table:\n%s\nwant\n%s", buf.String(), want)
	}
}
