package vulndb

import (
	"archive/zip"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// fixture is one OSV file under testdata/osv, with what it declares.
type fixture struct {
	path string
	rec  Vulnerability
}

func fixtures(t testing.TB, dir string) []fixture {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("testdata/osv", dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []fixture
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		p := filepath.Join("testdata/osv", dir, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var v Vulnerability
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, fixture{p, v})
	}
	return out
}

// makeZip writes an all.zip like osv.dev's: one ID.json per record.
func makeZip(t testing.TB, path string, fs []fixture) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, fx := range fs {
		w, err := zw.Create(fx.rec.ID + ".json")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(fx.path)
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func openTemp(t testing.TB) *DB {
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// idsFor lists fixture IDs that name package in ecosystem.
func idsFor(fs []fixture, ecosystem, name string) []string {
	var ids []string
	for _, f := range fs {
		for _, a := range f.rec.Affected {
			if a.Package.Ecosystem == ecosystem && a.Package.Name == name {
				ids = append(ids, f.rec.ID)
				break
			}
		}
	}
	sort.Strings(ids)
	return ids
}

func advisoryIDs(t *testing.T, db *DB, ecosystem, name string) []string {
	advs, err := db.Advisories(ecosystem, name)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range advs {
		ids = append(ids, a.ID)
	}
	sort.Strings(ids)
	return ids
}

func TestImport(t *testing.T) {
	debian, golang := fixtures(t, "debian"), fixtures(t, "go")
	all := append(append([]fixture(nil), debian...), golang...)
	zipDir := t.TempDir()
	makeZip(t, filepath.Join(zipDir, "all.zip"), debian)
	os.MkdirAll(filepath.Join(zipDir, "Go"), 0o755)
	makeZip(t, filepath.Join(zipDir, "Go", "all.zip"), golang)

	tests := []struct {
		name  string
		paths []string
		want  []fixture
	}{
		{"one json file", []string{debian[0].path}, debian[:1]},
		{"directory of json", []string{"testdata/osv"}, all},
		{"all.zip dump", []string{filepath.Join(zipDir, "all.zip")}, debian},
		{"directory of zips", []string{zipDir}, all},
		{"same data twice", []string{"testdata/osv", filepath.Join(zipDir, "all.zip")}, all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTemp(t)
			for _, p := range tc.paths {
				if _, err := db.Import(p, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			st, err := db.Status()
			if err != nil {
				t.Fatal(err)
			}
			if st.Records != len(tc.want) {
				t.Errorf("records = %d, want %d", st.Records, len(tc.want))
			}
			for _, pkg := range [][2]string{{"Debian:12", "busybox"}, {"Debian:12", "tar"}, {"Go", "stdlib"}, {"Go", "golang.org/x/net"}} {
				if got, want := advisoryIDs(t, db, pkg[0], pkg[1]), idsFor(tc.want, pkg[0], pkg[1]); strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s %s: advisories %v, want %v", pkg[0], pkg[1], got, want)
				}
			}
		})
	}
}

func TestReimportReplacesIndex(t *testing.T) {
	db := openTemp(t)
	dir := t.TempDir()
	write := func(rec string) {
		p := filepath.Join(dir, "r.json")
		os.WriteFile(p, []byte(rec), 0o644)
		if _, err := db.Import(p, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Debian:12","name":"old"}}]}`)
	write(`{"id":"X-1","modified":"2024-02-01T00:00:00Z","affected":[{"package":{"ecosystem":"Debian:12","name":"new"}}]}`)
	if ids := advisoryIDs(t, db, "Debian:12", "old"); len(ids) != 0 {
		t.Errorf("stale index entry for old: %v", ids)
	}
	if ids := advisoryIDs(t, db, "Debian:12", "new"); len(ids) != 1 {
		t.Errorf("new: %v, want X-1", ids)
	}
	write(`{"id":"X-1","modified":"2024-03-01T00:00:00Z","withdrawn":"2024-03-01T00:00:00Z","affected":[{"package":{"ecosystem":"Debian:12","name":"new"}}]}`)
	if ids := advisoryIDs(t, db, "Debian:12", "new"); len(ids) != 0 {
		t.Errorf("withdrawn record still indexed: %v", ids)
	}
}

func TestSeverity(t *testing.T) {
	tests := []struct {
		name, record, want string
	}{
		{"github rating", `{"id":"G","database_specific":{"severity":"MODERATE"}}`, SeverityMedium},
		{"cvss v3 critical", `{"id":"C","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}`, SeverityCritical},
		{"debian urgency", `{"id":"D","affected":[{"package":{"ecosystem":"Debian:12","name":"apt"},"ecosystem_specific":{"urgency":"low"}}]}`, SeverityLow},
		{"ubuntu priority", `{"id":"U","severity":[{"type":"Ubuntu","score":"high"}]}`, SeverityHigh},
		{"cvss v4 only", `{"id":"V4","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}`, SeverityCritical},
		{"cvss v2 only: no critical band", `{"id":"V2","severity":[{"type":"CVSS_V2","score":"AV:N/AC:L/Au:N/C:C/I:C/A:C"}]}`, SeverityHigh},
		{"v3 decides over v2", `{"id":"V32","severity":[{"type":"CVSS_V2","score":"AV:N/AC:L/Au:N/C:P/I:P/A:P"},{"type":"CVSS_V3","score":"CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}]}`, SeverityLow},
		{"nothing stated", `{"id":"N"}`, SeverityUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v Vulnerability
			if err := json.Unmarshal([]byte(tc.record), &v); err != nil {
				t.Fatal(err)
			}
			if got := recordSeverity(&v, v.Affected); got != tc.want {
				t.Errorf("severity = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCVSSBaseScore(t *testing.T) {
	// Scores from FIRST's calculators for well-known vectors of each version.
	tests := []struct {
		vector string
		want   float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
		{"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N", 0},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3},
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5},
		{"AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3},
	}
	for _, tc := range tests {
		t.Run(tc.vector, func(t *testing.T) {
			got, err := CVSSBaseScore(tc.vector)
			if err != nil || got != tc.want {
				t.Errorf("score = %v (%v), want %v", got, err, tc.want)
			}
		})
	}
	for _, bad := range []string{"CVSS:4.0/AV:N", "CVSS:5.0/AV:N", "AV:X"} {
		if _, err := CVSSBaseScore(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestUpdateFromMirror(t *testing.T) {
	debian, golang := fixtures(t, "debian"), fixtures(t, "go")
	dumps := t.TempDir()
	makeZip(t, filepath.Join(dumps, "Debian.zip"), debian)
	makeZip(t, filepath.Join(dumps, "Go.zip"), golang)
	var requests []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests = append(requests, r.URL.Path)
		eco, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/osv/"), "/all.zip")
		p := filepath.Join(dumps, eco+".zip")
		if _, err := os.Stat(p); !ok || err != nil {
			http.NotFound(w, r)
			return
		}
		etag := `"` + eco + `-v1"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		http.ServeFile(w, r, p)
	}))
	defer srv.Close()

	db := openTemp(t)
	results, err := db.Update(context.Background(), srv.Client(), srv.URL+"/osv", DefaultEcosystems, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	byEco := map[string]UpdateResult{}
	for _, r := range results {
		byEco[r.Ecosystem] = r
	}
	if byEco["Debian"].Records != len(debian) || byEco["Go"].Records != len(golang) || !byEco["Alpine"].NotFound {
		t.Errorf("first update: %+v", results)
	}
	st, _ := db.Status()
	if st.Records != len(debian)+len(golang) || st.Updated.IsZero() {
		t.Errorf("status after update: %+v", st)
	}
	// A second update sends the ETags back and imports nothing.
	results, err = db.Update(context.Background(), srv.Client(), srv.URL+"/osv", []string{"Debian"}, time.Now())
	if err != nil || !results[0].Unchanged {
		t.Errorf("second update: %+v, %v", results, err)
	}
	if _, err := db.Update(context.Background(), srv.Client(), srv.URL+"/nothing", DefaultEcosystems, time.Now()); err == nil {
		t.Error("update from a mirror without dumps succeeded")
	}
}

func TestStatusAge(t *testing.T) {
	db := openTemp(t)
	imported := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.Import("testdata/osv/go", imported); err != nil {
		t.Fatal(err)
	}
	st, err := db.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !st.Updated.Equal(imported) {
		t.Errorf("updated = %v, want %v", st.Updated, imported)
	}
	if age := st.Age(imported.Add(72 * time.Hour)); age != 72*time.Hour {
		t.Errorf("age = %v, want 72h", age)
	}
	if len(st.Sources) != 1 || st.Ecosystems["Go"] == 0 {
		t.Errorf("sources %+v ecosystems %+v", st.Sources, st.Ecosystems)
	}
}

func TestOpenReadOnlyWithoutDatabase(t *testing.T) {
	if _, err := OpenReadOnly(t.TempDir()); err == nil || !strings.Contains(err.Error(), "ward db") {
		t.Errorf("err = %v, want a hint to import", err)
	}
}
