package analyzer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/inventory"
	"github.com/wardproject/ward/internal/scan/source"
)

// rpmSpec builds one main package with an epoch, a '~' version and many
// subpackages, so the Packages table spans interior b-tree pages and the
// headers spill into overflow pages.
func rpmSpec(subpackages int) string {
	var b strings.Builder
	b.WriteString("Name: ward-main\nVersion: 1.2.3~rc1\nRelease: 4.el9\nEpoch: 2\nSummary: s\nLicense: MIT and BSD\nBuildArch: noarch\n%description\n")
	// A 12 KB description makes the main header larger than a 4 KB page.
	b.WriteString(strings.Repeat("ward tests the overflow pages of the sqlite reader\n", 240))
	b.WriteString("%files\n")
	for i := range subpackages {
		fmt.Fprintf(&b, "%%package -n ward-sub%d\nSummary: s\nVersion: 0.%d\nLicense: GPL-2.0-or-later\n%%description -n ward-sub%d\nd\n%%files -n ward-sub%d\n", i, i, i, i)
	}
	return b.String()
}

// rpmDatabase builds rpms with rpmbuild and installs them, headers only,
// into a fresh SQLite rpmdb; it returns the rpmdb directory.
func rpmDatabase(t *testing.T, subpackages int) string {
	for _, tool := range []string{"rpm", "rpmbuild"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install rpm)", tool)
		}
	}
	dir := t.TempDir()
	spec := filepath.Join(dir, "ward.spec")
	os.WriteFile(spec, []byte(rpmSpec(subpackages)), 0o644)
	top, db := filepath.Join(dir, "top"), filepath.Join(dir, "root/var/lib/rpm")
	if out, err := exec.Command("rpmbuild", "--define", "_topdir "+top, "-bb", spec).CombinedOutput(); err != nil {
		t.Fatalf("rpmbuild: %v\n%s", err, out)
	}
	rpms, _ := filepath.Glob(filepath.Join(top, "RPMS/noarch/*.rpm"))
	os.MkdirAll(db, 0o755)
	args := append([]string{"--dbpath", db, "--define", "_db_backend sqlite", "-i", "--justdb", "--nodeps", "--ignoreos", "--ignorearch"}, rpms...)
	if out, err := exec.Command("rpm", args...).CombinedOutput(); err != nil {
		t.Fatalf("rpm -i: %v\n%s", err, out)
	}
	return db
}

func TestRPMDatabaseAgainstRPM(t *testing.T) {
	db := rpmDatabase(t, 60)
	out, err := exec.Command("rpm", "--dbpath", db, "-qa", "--qf", `%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\n`).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSpace(string(out)), "\n")
	sort.Strings(want)
	root := filepath.Dir(filepath.Dir(filepath.Dir(db)))
	rootfsTar := writeFile(t, "rpm-rootfs.tar", makeTar(t, []tfile{
		{name: "etc/os-release", body: []byte("ID=rocky\nVERSION_ID=\"9.3\"\n")},
		{name: "var/lib/rpm/rpmdb.sqlite", body: readFileT(t, filepath.Join(db, "rpmdb.sqlite"))},
	}))
	for name, target := range map[string]string{"directory": root, "tarball": rootfsTar} {
		t.Run(name, func(t *testing.T) {
			inv := runOn(t, target)
			var got []string
			for _, p := range inv.Packages {
				if p.Type == inventory.TypeRPM {
					got = append(got, p.Name+" "+p.Version)
				}
			}
			sort.Strings(got)
			if len(want) < 61 {
				t.Fatalf("rpm -qa lists %d packages, want the 61 built", len(want))
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("ward found %d rpms, rpm -qa %d:\nward %v\nrpm  %v", len(got), len(want), got, want)
			}
			if p, ok := find(inv, inventory.TypeRPM, "ward-sub7"); !ok || p.SourceName != "ward-main" || len(p.Licenses) != 1 {
				t.Errorf("ward-sub7 = %+v, want source ward-main and a license", p)
			}
		})
	}
	inv := runOn(t, rootfsTar)
	if p, _ := find(inv, inventory.TypeRPM, "ward-main"); p.PURL != "pkg:rpm/rocky/ward-main@1.2.3~rc1-4.el9?arch=noarch&distro=rocky-9.3&epoch=2" {
		t.Errorf("purl %s", p.PURL)
	}
}

func TestSQLiteRejectsGarbage(t *testing.T) {
	for name, body := range map[string][]byte{
		"not sqlite": []byte("hello"),
		"truncated":  append([]byte("SQLite format 3\x00\x10\x00"), make([]byte, 200)...),
	} {
		t.Run(name, func(t *testing.T) {
			tarball := makeTar(t, []tfile{{name: "var/lib/rpm/rpmdb.sqlite", body: body}})
			src := writeFile(t, "bad.tar", tarball)
			s, err := source.Open(src)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// A corrupt database is not an empty one: the inventory names
			// it as unreadable, so reports say what they could not see.
			inv, err := Run(s, src, All())
			if err != nil {
				t.Fatal(err)
			}
			if len(inv.Unreadable) != 1 || inv.Unreadable[0].Path != "var/lib/rpm/rpmdb.sqlite" || inv.Unreadable[0].Analyzer != "rpm" {
				t.Errorf("corrupt rpm database accepted silently: %+v", inv.Unreadable)
			}
		})
	}
}

func readFileT(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
