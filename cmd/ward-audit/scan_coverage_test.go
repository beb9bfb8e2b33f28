package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// exitStatusOf is the status ward-audit would exit with for err.
func exitStatusOf(err error) int {
	if err == nil {
		return 0
	}
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 125
}

// TestScanNeverCleanWhereBlind: each kind of blindness (a distribution
// without advisories, an ecosystem ward does not read, a database it
// cannot read, an ecosystem the database lacks) appears in every format
// and fails --fail-on unless --allow-uncovered; a covered root passes.
func TestScanNeverCleanWhereBlind(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	if _, err := run(t, newDBCommand(), "import", osvFixtures); err != nil {
		t.Fatal(err)
	}
	rootWith := func(osRelease string, files map[string]string) string {
		root := t.TempDir()
		files["etc/os-release"] = osRelease
		for name, body := range files {
			p := filepath.Join(root, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return root
	}
	tarOnly := "Package: tar\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.34+dfsg-1.2+deb12u1\n\n"
	debian := "ID=debian\nVERSION_ID=\"12\"\n"
	for _, tc := range []struct {
		name  string
		root  string
		gap   string // "" for a complete scan
		other []string
	}{
		{"covered", rootWith(debian, map[string]string{"var/lib/dpkg/status": tarOnly}), "", nil},
		{"unknown distribution", rootWith("ID=gentoo\nVERSION_ID=2.15\n", map[string]string{}), `distribution gentoo 2.15`, nil},
		{"ubuntu without its advisories", rootWith("ID=ubuntu\nVERSION_ID=\"22.04\"\n", map[string]string{"var/lib/dpkg/status": tarOnly}), "no Ubuntu:22.04:LTS or Ubuntu:Pro:22.04:LTS advisories", nil},
		{"unsupported ecosystem", rootWith(debian, map[string]string{"var/lib/dpkg/status": tarOnly, "srv/Cargo.lock": "version = 3\n"}), "srv/Cargo.lock: cargo packages", nil},
		{"unreadable database", rootWith(debian, map[string]string{"var/lib/rpm/rpmdb.sqlite": "not sqlite"}), "var/lib/rpm/rpmdb.sqlite: unreadable rpm data", nil},
		{"npm advisories missing", rootWith(debian, map[string]string{"var/lib/dpkg/status": tarOnly, "app/node_modules/lodash/package.json": `{"name":"lodash","version":"4.17.15"}`}), "npm packages (1): the database holds no npm advisories", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []string{"table", "json", "sarif"} {
				out, err := run(t, newScanCommand(), tc.root, "--format", format)
				if err != nil {
					t.Fatalf("%s: %v", format, err)
				}
				switch {
				case tc.gap == "" && strings.Contains(out, "not covered"):
					t.Errorf("%s: a covered root reports a gap:\n%s", format, out)
				case tc.gap != "" && !strings.Contains(out, tc.gap):
					t.Errorf("%s: the report does not name the gap %q:\n%s", format, tc.gap, out)
				}
			}
			out, _ := run(t, newScanCommand(), tc.root, "--format", "json")
			var res struct {
				Coverage struct {
					Distro struct{ Status string }
				}
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil || res.Coverage.Distro.Status == "" {
				t.Errorf("json has no coverage: %v\n%s", err, out)
			}
			_, err := run(t, newScanCommand(), tc.root, "--fail-on", "critical", "--severity", "CRITICAL")
			want := 1
			if tc.gap == "" {
				want = 0
			}
			if got := exitStatusOf(err); got != want {
				t.Errorf("--fail-on critical: exit %d (%v), want %d", got, err, want)
			}
			if _, err := run(t, newScanCommand(), tc.root, "--fail-on", "critical", "--severity", "CRITICAL", "--allow-uncovered"); err != nil {
				t.Errorf("--allow-uncovered: %v", err)
			}
		})
	}
}

// TestAuditExitStatus: one convention for check, sbom, scan and db: 2 for
// usage and input errors.
func TestAuditExitStatus(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	missing := filepath.Join(t.TempDir(), "missing")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"sbom of a missing path", []string{"sbom", missing}},
		{"scan without a database", []string{"scan", oldRootfs(t)}},
		{"scan of a missing path", []string{"scan", missing}},
		{"scan with a bad flag", []string{"scan", "--no-such-flag", "x"}},
		{"sbom without an argument", []string{"sbom"}},
		{"db status without a database", []string{"db", "status"}},
		{"bad --severity", []string{"scan", "--severity", "SEVERE", missing}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := withInputErrors(map[string]func() *cobra.Command{"sbom": newSBOMCommand, "scan": newScanCommand, "db": newDBCommand}[tc.args[0]]())
			_, err := run(t, root, tc.args[1:]...)
			if got := exitStatusOf(err); got != 2 {
				t.Errorf("exit %d (%v), want 2", got, err)
			}
		})
	}
}

// TestSBOMSaysWhatItCovered: CycloneDX, SPDX, JSON and the table all carry
// the coverage, gaps included.
func TestSBOMSaysWhatItCovered(t *testing.T) {
	root := oldRootfs(t)
	os.MkdirAll(filepath.Join(root, "srv"), 0o755)
	os.WriteFile(filepath.Join(root, "srv/Cargo.lock"), []byte("version = 3\n"), 0o644)
	gap := "srv/Cargo.lock: cargo packages, which ward does not read"
	for _, format := range []string{"cyclonedx-json", "spdx-json", "json", "table"} {
		out, err := run(t, newSBOMCommand(), root, "--format", format)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, gap) {
			t.Errorf("%s: no gap %q:\n%s", format, gap, out)
		}
		if !strings.Contains(out, "Debian:12") {
			t.Errorf("%s: the distribution's coverage is missing:\n%s", format, out)
		}
	}
	out, _ := run(t, newSBOMCommand(), root, "--format", "cyclonedx-json")
	var bom struct {
		Metadata struct {
			Properties []struct{ Name, Value string }
		}
	}
	json.Unmarshal([]byte(out), &bom)
	props := map[string]string{}
	for _, p := range bom.Metadata.Properties {
		props[p.Name] = p.Value
	}
	if props["ward:coverage"] != "incomplete" || props["ward:coverage:ecosystem:deb"] != "matchable Debian:12 packages=2" {
		t.Errorf("cyclonedx coverage properties %v", props)
	}
}
