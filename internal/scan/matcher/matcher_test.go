package matcher

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/scan/analyzer"
	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/scantest"
	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

const fixtureDir = "../vulndb/testdata/osv"

func fixtureDB(t testing.TB) *vulndb.DB {
	t.Helper()
	db, err := vulndb.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Import(fixtureDir, time.Now()); err != nil {
		t.Fatal(err)
	}
	return db
}

func loadAdvisory(t *testing.T, db *vulndb.DB, eco, name, id string) vulndb.Advisory {
	advs, err := db.Advisories(eco, name)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range advs {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("%s not indexed for %s %s", id, eco, name)
	return vulndb.Advisory{}
}

// TestAffectsGoRanges evaluates GO-2023-2102, whose README-documented fixes
// are stdlib 1.20.10 and 1.21.3 and golang.org/x/net 0.17.0.
func TestAffectsGoRanges(t *testing.T) {
	db := fixtureDB(t)
	std := loadAdvisory(t, db, "Go", "stdlib", "GO-2023-2102")
	xnet := loadAdvisory(t, db, "Go", "golang.org/x/net", "GO-2023-2102")
	tests := []struct {
		adv       vulndb.Advisory
		version   string
		affected  bool
		wantFixed string
	}{
		{std, "go1.20.9", true, "1.20.10"},
		{std, "go1.20.10", false, ""},
		{std, "go1.21.0", true, "1.21.3"},
		{std, "go1.21rc2", true, "1.21.3"},
		{std, "go1.21.3", false, ""},
		{std, "go1.22.0", false, ""},
		{xnet, "v0.15.0", true, "0.17.0"},
		{xnet, "v0.17.0", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.adv.Affected[0].Package.Name+"@"+tc.version, func(t *testing.T) {
			affected, fixed := Affects(tc.adv, tc.version, Semver{}, "SEMVER")
			if affected != tc.affected || fixed != tc.wantFixed {
				t.Errorf("Affects = %v %q, want %v %q", affected, fixed, tc.affected, tc.wantFixed)
			}
		})
	}
}

func TestAffectsEventKinds(t *testing.T) {
	adv := func(events string, versions ...string) vulndb.Advisory {
		var a vulndb.Affected
		json.Unmarshal([]byte(`{"ranges":[{"type":"ECOSYSTEM","events":`+events+`}]}`), &a)
		a.Versions = versions
		return vulndb.Advisory{ID: "T", Affected: []vulndb.Affected{a}}
	}
	tests := []struct {
		name      string
		adv       vulndb.Advisory
		version   string
		affected  bool
		wantFixed string
	}{
		{"last_affected inside", adv(`[{"introduced":"1.0-1"},{"last_affected":"1.2-1"}]`), "1.2-1", true, ""},
		{"last_affected above", adv(`[{"introduced":"1.0-1"},{"last_affected":"1.2-1"}]`), "1.2-2", false, ""},
		{"below introduced", adv(`[{"introduced":"1.0-1"},{"fixed":"1.2-1"}]`), "0.9-1", false, ""},
		{"events out of order", adv(`[{"fixed":"2.0-1"},{"introduced":"0"}]`), "1.5-1", true, "2.0-1"},
		{"explicit version list", adv(`[]`, "1.5-3"), "1.5-3", true, ""},
		{"not in version list", adv(`[]`, "1.5-3"), "1.5-4", false, ""},
		{"epoch beats upstream", adv(`[{"introduced":"0"},{"fixed":"1:1.0-1"}]`), "9.0-1", true, "1:1.0-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			affected, fixed := Affects(tc.adv, tc.version, Debian{}, "ECOSYSTEM")
			if affected != tc.affected || fixed != tc.wantFixed {
				t.Errorf("Affects = %v %q, want %v %q", affected, fixed, tc.affected, tc.wantFixed)
			}
		})
	}
}

// expectedByDpkg lists "package ID fixed" for every Debian fixture record
// that dpkg --compare-versions says affects a package of inv: the oracle
// the matcher is checked against.
func expectedByDpkg(t *testing.T, inv *inventory.Inventory) []string {
	var recs []vulndb.Vulnerability
	entries, _ := os.ReadDir(filepath.Join(fixtureDir, "debian"))
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(fixtureDir, "debian", e.Name()))
		var v vulndb.Vulnerability
		json.Unmarshal(b, &v)
		recs = append(recs, v)
	}
	var want []string
	for _, p := range inv.Packages {
		for _, v := range recs {
			for _, a := range v.Affected {
				if a.Package.Name != p.SourceOrName() {
					continue
				}
				fixed := ""
				for _, e := range a.Ranges[0].Events {
					fixed += e.Fixed
				}
				if fixed == "" || exec.Command("dpkg", "--compare-versions", p.SourceOrVersion(), "lt", fixed).Run() == nil {
					want = append(want, p.Name+" "+v.ID+" "+fixed)
				}
			}
		}
	}
	sort.Strings(want)
	return want
}

func findingKeys(fs []Finding) []string {
	var got []string
	for _, f := range fs {
		got = append(got, f.Package+" "+f.ID+" "+f.FixedVersion)
	}
	sort.Strings(got)
	return got
}

func TestMatchDebianAgainstDpkg(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("dpkg is not installed; it is the reference for Debian version ordering")
	}
	db := fixtureDB(t)
	debian12 := inventory.Distro{ID: "debian", VersionID: "12"}
	// Versions just before and at the fixes the changelogs record, and
	// binNMUs (+bN) of both.
	older := &inventory.Inventory{Distro: debian12, Packages: []inventory.Package{
		{Type: inventory.TypeDeb, Name: "busybox", Version: "1:1.35.0-4"},
		{Type: inventory.TypeDeb, Name: "busybox-static", Version: "1:1.35.0-4+deb12u1+b1", SourceName: "busybox", SourceVersion: "1:1.35.0-4+deb12u1"},
		{Type: inventory.TypeDeb, Name: "busybox-udeb", Version: "1:1.35.0-4+b1", SourceName: "busybox"},
		{Type: inventory.TypeDeb, Name: "tar", Version: "1.34+dfsg-1.2"},
		{Type: inventory.TypeDeb, Name: "perl-base", Version: "5.36.0-7+deb12u1", SourceName: "perl"},
		{Type: inventory.TypeDeb, Name: "libc6", Version: "2.36-9+deb12u13", SourceName: "glibc"},
		{Type: inventory.TypeDeb, Name: "zlib1g", Version: "1:1.2.13.dfsg-1", SourceName: "zlib"},
	}}
	cases := map[string]*inventory.Inventory{"older versions": older}
	if root := minbaseRoot(t); root != "" {
		cases["minbase"] = inventoryOf(t, root)
	}
	for name, inv := range cases {
		t.Run(name, func(t *testing.T) {
			findings, err := Match(inv, db)
			if err != nil {
				t.Fatal(err)
			}
			got, want := findingKeys(findings), expectedByDpkg(t, inv)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings:\n%s\nwant (by dpkg):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if len(want) == 0 {
				t.Error("oracle expects no finding: the case tests nothing")
			}
			for i := 1; i < len(findings); i++ {
				if vulndb.SeverityRank(findings[i-1].Severity) < vulndb.SeverityRank(findings[i].Severity) {
					t.Errorf("findings not sorted by severity at %d", i)
				}
			}
		})
	}
}

func minbaseRoot(t *testing.T) string {
	var root string
	t.Run("minbase rootfs", func(t *testing.T) { root = scantest.MinbaseRootfs(t) })
	return root
}

func inventoryOf(t *testing.T, root string) *inventory.Inventory {
	src, err := source.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	inv, err := analyzer.Run(src, root, analyzer.All())
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestMatchGoModules(t *testing.T) {
	db := fixtureDB(t)
	inv := &inventory.Inventory{Packages: []inventory.Package{
		{Type: inventory.TypeGolang, Name: "stdlib", Version: "go1.21.5", Layer: "sha256:l1"},
		{Type: inventory.TypeGolang, Name: "golang.org/x/net", Version: "v0.17.0", Layer: "sha256:l1"},
		{Type: inventory.TypeGolang, Name: "example.com/app", Version: "(devel)"},
	}}
	findings, err := Match(inv, db)
	if err != nil {
		t.Fatal(err)
	}
	// go1.21.5 is past GO-2023-2102's 1.21.3 but before GO-2024-2687's
	// 1.21.9; x/net 0.17.0 is fixed for the first, not the second (0.23.0).
	want := []string{"golang.org/x/net GO-2024-2687 0.23.0", "stdlib GO-2024-2687 1.21.9"}
	if got := findingKeys(findings); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("findings %v, want %v", got, want)
	}
	for _, f := range findings {
		if f.Layer != "sha256:l1" || len(f.Aliases) == 0 || f.Ecosystem != "Go" {
			t.Errorf("finding lacks layer, aliases or ecosystem: %+v", f)
		}
	}
}

// fakeSource serves advisories from memory.
type fakeSource map[string][]vulndb.Advisory

func (f fakeSource) Advisories(eco, name string) ([]vulndb.Advisory, error) {
	return f[eco+"/"+name], nil
}

// TestMatchRPMDistributions checks the ecosystem mapping and rpm ordering
// with a synthetic advisory (the shape of AlmaLinux's and Rocky's OSV
// records: binary package name, epoch:version-release).
func TestMatchRPMDistributions(t *testing.T) {
	var a vulndb.Affected
	json.Unmarshal([]byte(`{"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1:3.0.7-27.el9"}]}]}`), &a)
	adv := []vulndb.Advisory{{ID: "TEST-1", Severity: "HIGH", Affected: []vulndb.Affected{a}}}
	src := fakeSource{"Rocky Linux:9/openssl-libs": adv, "AlmaLinux:9/openssl-libs": adv}
	tests := []struct {
		distro  inventory.Distro
		version string
		want    int
	}{
		{inventory.Distro{ID: "rocky", VersionID: "9.3"}, "1:3.0.7-25.el9", 1},
		{inventory.Distro{ID: "almalinux", VersionID: "9.4"}, "1:3.0.7-27.el9_4", 0},
		{inventory.Distro{ID: "almalinux", VersionID: "9.4"}, "3.0.9-1.el9", 1}, // epoch 0 < 1
		{inventory.Distro{ID: "fedora", VersionID: "40"}, "1:3.0.7-25.el9", 0},  // no OSV ecosystem
	}
	for _, tc := range tests {
		t.Run(tc.distro.ID+"/"+tc.version, func(t *testing.T) {
			inv := &inventory.Inventory{Distro: tc.distro, Packages: []inventory.Package{{Type: inventory.TypeRPM, Name: "openssl-libs", Version: tc.version}}}
			fs, err := Match(inv, src)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != tc.want {
				t.Errorf("%d findings, want %d: %+v", len(fs), tc.want, fs)
			}
		})
	}
}

// TestMatchAlpineByOrigin checks that apk packages are looked up in the
// release branch's ecosystem under their origin (source) package.
func TestMatchAlpineByOrigin(t *testing.T) {
	var a vulndb.Affected
	json.Unmarshal([]byte(`{"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.36.1-r16"}]}]}`), &a)
	src := fakeSource{"Alpine:v3.19/busybox": {{ID: "TEST-APK", Affected: []vulndb.Affected{a}}}}
	alpine := inventory.Distro{ID: "alpine", VersionID: "3.19.1"}
	tests := []struct {
		pkg  inventory.Package
		want int
	}{
		{inventory.Package{Type: inventory.TypeAPK, Name: "busybox-binsh", Version: "1.36.1-r15", SourceName: "busybox"}, 1},
		{inventory.Package{Type: inventory.TypeAPK, Name: "busybox", Version: "1.36.1-r16"}, 0},
		{inventory.Package{Type: inventory.TypeAPK, Name: "busybox", Version: "1.36.1-r2"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.pkg.Name+"@"+tc.pkg.Version, func(t *testing.T) {
			fs, err := Match(&inventory.Inventory{Distro: alpine, Packages: []inventory.Package{tc.pkg}}, src)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != tc.want {
				t.Errorf("%d findings, want %d", len(fs), tc.want)
			}
			if len(fs) == 1 && (fs[0].SourcePackage != "busybox" && tc.pkg.SourceName != "" || fs[0].FixedVersion != "1.36.1-r16") {
				t.Errorf("finding %+v", fs[0])
			}
		})
	}
}

// HasEcosystem reports whether any advisory of eco is served.
func (f fakeSource) HasEcosystem(eco string) (bool, error) {
	for k := range f {
		if strings.HasPrefix(k, eco+"/") {
			return true, nil
		}
	}
	return false, nil
}
