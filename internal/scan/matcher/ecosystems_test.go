package matcher

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// osvRecord writes one OSV record affecting one package.
func osvRecord(id, eco, name, ranges string, extra string) string {
	return fmt.Sprintf(`{"id":%q,"modified":"2024-01-01T00:00:00Z",%s"affected":[{"package":{"ecosystem":%q,"name":%q}%s}]}`, id, extra, eco, name, ranges)
}

// languageDB imports records the test writes, one or more per ecosystem,
// covering each version scheme's hard cases.
func languageDB(t *testing.T) *vulndb.DB {
	t.Helper()
	semver := func(events string) string { return `,"ranges":[{"type":"SEMVER","events":[` + events + `]}]` }
	eco := func(events string) string { return `,"ranges":[{"type":"ECOSYSTEM","events":[` + events + `]}]` }
	high := `"database_specific":{"severity":"HIGH"},`
	records := []string{
		// npm: semver, pre-releases, last_affected.
		osvRecord("GHSA-lodash", "npm", "lodash", semver(`{"introduced":"0"},{"fixed":"4.17.19"}`), high+
			`"published":"2020-07-15T17:15:00Z","references":[{"type":"ADVISORY","url":"https://nvd.nist.gov/vuln/detail/CVE-2020-8203"}],`+
			`"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"}],`),
		osvRecord("GHSA-minimist-old", "npm", "minimist", semver(`{"introduced":"0"},{"fixed":"0.2.1"}`), high),
		osvRecord("GHSA-minimist-new", "npm", "minimist", semver(`{"introduced":"1.0.0"},{"fixed":"1.2.6"}`), high),
		osvRecord("GHSA-pre-hit", "npm", "pre", semver(`{"introduced":"2.0.0-beta.1"},{"fixed":"2.0.0-beta.3"}`), high),
		osvRecord("GHSA-pre-miss", "npm", "pre", semver(`{"introduced":"0"},{"fixed":"2.0.0-alpha.9"}`), high),
		osvRecord("GHSA-last", "npm", "@scope/last", semver(`{"introduced":"0"},{"last_affected":"1.2.3"}`), high),
		osvRecord("GHSA-last-miss", "npm", "after", semver(`{"introduced":"0"},{"last_affected":"1.2.3"}`), high),
		// PyPI: PEP 440 with epochs, local versions, post releases, and a
		// record spelling the name differently from the metadata.
		osvRecord("PYSEC-requests", "PyPI", "requests", eco(`{"introduced":"0"},{"fixed":"2.20.0"}`), high),
		osvRecord("PYSEC-epoch", "PyPI", "epochpkg", eco(`{"introduced":"0"},{"fixed":"2.0"}`), high),
		osvRecord("PYSEC-local", "PyPI", "localpkg", eco(`{"introduced":"0"},{"fixed":"1.0.1"}`), high),
		osvRecord("PYSEC-post", "PyPI", "postpkg", eco(`{"introduced":"0"},{"fixed":"1.0"}`), high),
		osvRecord("PYSEC-zope", "PyPI", "zope-interface", eco(`{"introduced":"0"},{"fixed":"5.0"}`), high),
		osvRecord("PYSEC-list", "PyPI", "listed", `,"versions":["0.9","1.0"]`, high),
		// Maven: qualifiers order alpha < beta < rc < release < sp.
		osvRecord("GHSA-lang3", "Maven", "org.apache.commons:commons-lang3", eco(`{"introduced":"3.0"},{"fixed":"3.12.0"}`), high),
		osvRecord("GHSA-rc", "Maven", "org.example:rc", eco(`{"introduced":"0"},{"fixed":"1.0"}`), high),
		osvRecord("GHSA-sp", "Maven", "org.example:sp", eco(`{"introduced":"0"},{"fixed":"1.0"}`), high),
		// RubyGems: a letter makes a prerelease.
		osvRecord("GHSA-rack", "RubyGems", "rack", eco(`{"introduced":"0"},{"fixed":"2.2.6.2"}`), high),
		osvRecord("GHSA-gempre", "RubyGems", "gempre", eco(`{"introduced":"0"},{"fixed":"3.0.0"}`), high),
		// A Go advisory rating nothing takes its GHSA alias's rating.
		osvRecord("GO-2099-0001", "Go", "example.com/mod", semver(`{"introduced":"0"},{"fixed":"1.5.0"}`), `"aliases":["GHSA-xxxx-alias"],`),
		`{"id":"GHSA-xxxx-alias","modified":"2024-01-01T00:00:00Z","database_specific":{"severity":"CRITICAL"},"affected":[{"package":{"ecosystem":"Go","name":"example.com/other"}}]}`,
		// One rating nothing, with no rated alias, stays UNKNOWN.
		osvRecord("GO-2099-0002", "Go", "example.com/unrated", semver(`{"introduced":"0"},{"fixed":"1.5.0"}`), `"aliases":["CVE-2099-0002"],`),
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
	t.Cleanup(func() { db.Close() })
	if _, err := db.Import(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestLanguageEcosystemsMatchExactly: every record the test wrote is found
// where its range says and nowhere else: no miss, no false finding.
func TestLanguageEcosystemsMatchExactly(t *testing.T) {
	db := languageDB(t)
	pkg := func(typ inventory.Type, name, version string) inventory.Package {
		return inventory.Package{Type: typ, Name: name, Version: version}
	}
	inv := &inventory.Inventory{Packages: []inventory.Package{
		pkg(inventory.TypeNPM, "lodash", "4.17.15"),
		pkg(inventory.TypeNPM, "minimist", "0.0.8"),
		pkg(inventory.TypeNPM, "pre", "2.0.0-beta.2"),
		pkg(inventory.TypeNPM, "@scope/last", "1.2.3"),
		pkg(inventory.TypeNPM, "after", "1.2.4"),
		pkg(inventory.TypePyPI, "requests", "2.19.0"),
		pkg(inventory.TypePyPI, "epochpkg", "1!1.0"),     // epoch 1 is above every epoch-0 version
		pkg(inventory.TypePyPI, "localpkg", "1.0+deb1"),  // 1.0+local < 1.0.1: affected
		pkg(inventory.TypePyPI, "postpkg", "1.0.post1"),  // after the fix
		pkg(inventory.TypePyPI, "Zope.Interface", "4.7"), // PEP 503 names the same project
		pkg(inventory.TypePyPI, "listed", "1.0"),
		pkg(inventory.TypeMaven, "org.apache.commons:commons-lang3", "3.11"),
		pkg(inventory.TypeMaven, "org.example:rc", "1.0-RC1"),
		pkg(inventory.TypeMaven, "org.example:sp", "1.0-sp1"),
		pkg(inventory.TypeGem, "rack", "2.2.4"),
		pkg(inventory.TypeGem, "gempre", "3.0.0.beta1"),
		pkg(inventory.TypeGolang, "example.com/mod", "v1.4.0"),
		pkg(inventory.TypeGolang, "example.com/unrated", "v1.4.0"),
	}}
	findings, err := Match(inv, db)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	sev := map[string]string{}
	for _, f := range findings {
		got = append(got, f.Package+" "+f.ID)
		sev[f.ID] = f.Severity
	}
	slices.Sort(got)
	want := []string{
		"@scope/last GHSA-last",
		"Zope.Interface PYSEC-zope",
		"example.com/mod GO-2099-0001",
		"example.com/unrated GO-2099-0002",
		"gempre GHSA-gempre",
		"listed PYSEC-list",
		"localpkg PYSEC-local",
		"lodash GHSA-lodash",
		"minimist GHSA-minimist-old",
		"org.apache.commons:commons-lang3 GHSA-lang3",
		"org.example:rc GHSA-rc",
		"pre GHSA-pre-hit",
		"rack GHSA-rack",
		"requests PYSEC-requests",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range findings {
		if f.Link != "https://osv.dev/vulnerability/"+f.ID {
			t.Errorf("%s link %q", f.ID, f.Link)
		}
		if f.ID == "GHSA-lodash" && (len(f.References) != 1 || len(f.CVSS) != 1 || f.Published.Year() != 2020 || f.Modified.IsZero()) {
			t.Errorf("GHSA-lodash lacks the record's references, CVSS vector or dates: %+v", f)
		}
	}
	if sev["GO-2099-0001"] != vulndb.SeverityCritical {
		t.Errorf("GO-2099-0001 severity %s, want CRITICAL from its GHSA alias", sev["GO-2099-0001"])
	}
	if sev["GO-2099-0002"] != vulndb.SeverityUnknown {
		t.Errorf("GO-2099-0002 severity %s, want UNKNOWN", sev["GO-2099-0002"])
	}
}

func TestComparers(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmp  Comparer
		a, b string
		want int
	}{
		{"npm pre-release before release", NPM{}, "1.0.0-rc.1", "1.0.0", -1},
		{"npm pre-release numeric order", NPM{}, "1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"npm build metadata ignored", NPM{}, "1.0.0+build.5", "1.0.0", 0},
		{"pep440 epoch", PEP440{}, "1!0.1", "2.0", 1},
		{"pep440 dev before pre", PEP440{}, "1.0.dev1", "1.0a1", -1},
		{"pep440 post after release", PEP440{}, "1.0.post1", "1.0", 1},
		{"pep440 local after public", PEP440{}, "1.0+ubuntu1", "1.0", 1},
		{"pep440 normalization", PEP440{}, "1.0.0", "1.0", 0},
		{"maven rc before release", Maven{}, "1.0-RC1", "1.0", -1},
		{"maven sp after release", Maven{}, "1.0-sp1", "1.0", 1},
		{"maven alpha before beta", Maven{}, "1.0-alpha-2", "1.0-beta-1", -1},
		{"maven trailing zeros", Maven{}, "1.0.0", "1", 0},
		{"gem prerelease", RubyGems{}, "2.0.0.rc1", "2.0.0", -1},
		{"gem segments", RubyGems{}, "2.0.0.1", "2.0.0", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cmp.Compare(tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if sign(got) != tc.want {
				t.Errorf("Compare(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

// TestCover checks what coverage says for each kind of blindness: an
// unknown distribution, one without a feed, an ecosystem the database
// lacks, unreadable and unsupported package files.
func TestCover(t *testing.T) {
	db := fakeSource{"Debian:12/x": nil, "Go/y": nil}
	deb := inventory.Package{Type: inventory.TypeDeb, Name: "libc6", Version: "2.36-9"}
	npm := inventory.Package{Type: inventory.TypeNPM, Name: "lodash", Version: "4.17.15"}
	gomod := inventory.Package{Type: inventory.TypeGolang, Name: "golang.org/x/net", Version: "v0.17.0"}
	debian := inventory.Distro{ID: "debian", VersionID: "12"}
	for _, tc := range []struct {
		name     string
		inv      inventory.Inventory
		db       EcosystemIndex
		complete bool
		gap      string // in one of the gaps
	}{
		{"debian and go matched", inventory.Inventory{Distro: debian, Packages: []inventory.Package{deb, gomod}}, db, true, ""},
		{"npm not in the database", inventory.Inventory{Distro: debian, Packages: []inventory.Package{deb, npm}}, db, false, "npm packages (1): the database holds no npm advisories"},
		{"unknown distribution", inventory.Inventory{Distro: inventory.Distro{ID: "gentoo", VersionID: "2.15"}, Packages: []inventory.Package{deb}}, db, false, `distribution gentoo 2.15: ward knows no advisories for distribution "gentoo"`},
		{"amazon linux has no OSV feed", inventory.Inventory{Distro: inventory.Distro{ID: "amzn", VersionID: "2"}}, db, false, "Amazon Linux"},
		{"os packages without a release file", inventory.Inventory{Packages: []inventory.Package{deb}}, db, false, "no os-release"},
		{"distroless go binary", inventory.Inventory{Packages: []inventory.Package{gomod}}, db, true, ""},
		{"debian 12 advisories missing", inventory.Inventory{Distro: debian, Packages: []inventory.Package{deb}}, fakeSource{"Go/y": nil}, false, "no Debian:12 advisories"},
		{"unreadable database", inventory.Inventory{Distro: debian, Unreadable: []inventory.Unreadable{{Path: "var/lib/dpkg/status", Analyzer: "dpkg", Error: "bad"}}}, db, false, "var/lib/dpkg/status: unreadable dpkg data"},
		{"unsupported ecosystem", inventory.Inventory{Distro: debian, Unsupported: []inventory.Unsupported{{Path: "app/Cargo.lock", Ecosystem: "cargo"}}}, db, false, "app/Cargo.lock: cargo packages"},
		{"jar without a maven group", inventory.Inventory{Distro: debian, Packages: []inventory.Package{{Type: inventory.TypeMaven, Name: "legacy", Version: "0.9.1", Location: "opt/legacy-0.9.jar"}}},
			fakeSource{"Debian:12/x": nil, "Maven/y": nil}, false, "opt/legacy-0.9.jar: legacy 0.9.1 not matched"},
		{"version its ecosystem cannot order", inventory.Inventory{Distro: debian, Packages: []inventory.Package{{Type: inventory.TypeComposer, Name: "acme/lib", Version: "dev-main", Location: "vendor/composer/installed.json"}}},
			fakeSource{"Debian:12/x": nil, "Packagist/y": nil}, false, "acme/lib dev-main not matched: its version cannot be ordered"},
		{"sbom: nothing consulted", inventory.Inventory{Distro: debian, Packages: []inventory.Package{deb, npm}}, nil, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var idx EcosystemIndex
			if tc.db != nil {
				idx = tc.db
			}
			c, err := Cover(&tc.inv, idx)
			if err != nil {
				t.Fatal(err)
			}
			gaps := c.Gaps()
			if c.Complete() != tc.complete {
				t.Errorf("complete = %v, want %v; gaps %q", c.Complete(), tc.complete, gaps)
			}
			if tc.gap != "" && !slices.ContainsFunc(gaps, func(g string) bool { return strings.Contains(g, tc.gap) }) {
				t.Errorf("no gap mentions %q: %q", tc.gap, gaps)
			}
			if tc.complete && !strings.HasPrefix(c.Summary(), "complete") || !tc.complete && !strings.HasPrefix(c.Summary(), "INCOMPLETE") {
				t.Errorf("summary %q", c.Summary())
			}
		})
	}
}

func TestDistroEcosystems(t *testing.T) {
	for _, tc := range []struct {
		distro inventory.Distro
		want   string
	}{
		{inventory.Distro{ID: "ubuntu", VersionID: "22.04"}, "Ubuntu:22.04:LTS,Ubuntu:Pro:22.04:LTS"},
		{inventory.Distro{ID: "ubuntu", VersionID: "23.10"}, "Ubuntu:23.10"},
		{inventory.Distro{ID: "rhel", VersionID: "8.9"}, "Red Hat:enterprise_linux:8::baseos,Red Hat:enterprise_linux:8::appstream,Red Hat:enterprise_linux:8::crb"},
		{inventory.Distro{ID: "wolfi", VersionID: "20230201"}, "Wolfi"},
		{inventory.Distro{ID: "chainguard", VersionID: "20230214"}, "Chainguard"},
		{inventory.Distro{ID: "debian", VersionID: "12"}, "Debian:12"},
		{inventory.Distro{ID: "alpine", VersionID: "3.19.1"}, "Alpine:v3.19"},
		{inventory.Distro{ID: "amzn", VersionID: "2"}, ""},
	} {
		if got := strings.Join(distroEcosystems(tc.distro).ecosystems, ","); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.distro.ID, tc.distro.VersionID, got, tc.want)
		}
	}
}
