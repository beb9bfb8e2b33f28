package analyzer

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/inventory"
)

// TestRPMNDBFixture reads the checked-in SLE 15 NDB database (see
// testdata/rpm/ndb/README.md) and compares with go-rpmdb's expectation.
func TestRPMNDBFixture(t *testing.T) {
	root := t.TempDir()
	db := filepath.Join(root, "usr/lib/sysimage/rpm/Packages.db")
	os.MkdirAll(filepath.Dir(db), 0o755)
	if err := os.WriteFile(db, readTestdata(t, "rpm/ndb/Packages.db"), 0o644); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(strings.TrimSpace(string(readTestdata(t, "rpm/ndb/expected.txt"))), "\n") {
		if !strings.HasPrefix(line, "gpg-pubkey ") { // an imported signing key, not software: ward leaves it out
			want = append(want, line)
		}
	}
	got := rpmLines(runOn(t, root))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ndb packages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The same database streamed from a tarball (spooled, not read in place).
	tarball := writeFile(t, "ndb.tar", makeTar(t, []tfile{{name: "var/lib/rpm/Packages.db", body: readTestdata(t, "rpm/ndb/Packages.db")}}))
	if got := rpmLines(runOn(t, tarball)); len(got) != len(want) {
		t.Errorf("from a tarball: %d packages, want %d", len(got), len(want))
	}
	// Truncated: unreadable, named as such.
	cut := writeFile(t, "cut.tar", makeTar(t, []tfile{{name: "var/lib/rpm/Packages.db", body: readTestdata(t, "rpm/ndb/Packages.db")[:5000]}}))
	if inv := runOn(t, cut); len(inv.Unreadable) != 1 || inv.Unreadable[0].Analyzer != "rpm-ndb" {
		t.Errorf("truncated ndb: unreadable %+v", inv.Unreadable)
	}
}

func rpmLines(inv *inventory.Inventory) []string {
	var out []string
	for _, p := range inv.Packages {
		if p.Type == inventory.TypeRPM {
			out = append(out, p.Name+" "+p.Version+" "+p.Arch)
		}
	}
	slices.Sort(out)
	return out
}

// TestRPMBerkeleyAgainstRPM builds a Berkeley DB rpm database the way
// CentOS 7 and UBI 8 have one: rpm headers (made by rpmbuild, installed
// into a SQLite rpmdb, since Debian's rpm writes only SQLite) loaded with
// db5.3_load into a hash database named Packages. rpm's read-only
// Berkeley DB backend (bdb_ro) is the reference.
func TestRPMBerkeleyAgainstRPM(t *testing.T) {
	load, err := exec.LookPath("db5.3_load")
	if err != nil {
		t.Skip("db5.3_load not installed (apt-get install db5.3-util)")
	}
	sqliteDir := rpmDatabase(t, 8)
	dbFile, err := os.Open(filepath.Join(sqliteDir, "rpmdb.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer dbFile.Close()
	fi, _ := dbFile.Stat()
	sq, err := openSQLite(dbFile, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := sq.tableRoot("Packages")
	if err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	dump.WriteString("VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=4096\nHEADER=END\n")
	n := 0
	err = sq.walkTable(tbl, 0, func(rec []any) error {
		blob, ok := rec[1].([]byte)
		if !ok {
			return nil
		}
		n++
		var key [4]byte
		binary.LittleEndian.PutUint32(key[:], uint32(n)) // rpm keys Packages by instance number, host order
		fmt.Fprintf(&dump, " %s\n %s\n", hex.EncodeToString(key[:]), hex.EncodeToString(blob))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dump.WriteString("DATA=END\n")
	rpmDir := filepath.Join(t.TempDir(), "root/var/lib/rpm")
	os.MkdirAll(rpmDir, 0o755)
	cmd := exec.Command(load, filepath.Join(rpmDir, "Packages"))
	cmd.Stdin = strings.NewReader(dump.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("db5.3_load: %v\n%s", err, out)
	}
	ref, err := exec.Command("rpm", "--dbpath", rpmDir, "--define", "_db_backend bdb_ro", "-qa",
		"--qf", `%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH}\n`).Output() // stderr: warnings about index files
	if err != nil {
		t.Fatalf("rpm bdb_ro: %v\n%s", err, ref)
	}
	want := strings.Split(strings.TrimSpace(string(ref)), "\n")
	slices.Sort(want)
	root := filepath.Dir(filepath.Dir(filepath.Dir(rpmDir)))
	got := rpmLines(runOn(t, root))
	if len(want) != n || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("berkeley db packages:\n%s\nrpm says (%d loaded):\n%s", strings.Join(got, "\n"), n, strings.Join(want, "\n"))
	}
}
