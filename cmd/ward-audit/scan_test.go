package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/scan/vulndb"
)

const osvFixtures = "../../internal/scan/vulndb/testdata/osv"

// run executes one ward verb with args and returns its standard output.
func run(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String() + errOut.String(), err
}

// oldRootfs is a Debian 12 rootfs with busybox before the fix of
// CVE-2022-48174 (1:1.35.0-4+deb12u1).
func oldRootfs(t *testing.T) string {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.MkdirAll(filepath.Join(root, "var/lib/dpkg"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/os-release"), []byte("ID=debian\nVERSION_ID=\"12\"\n"), 0o644)
	status := "Package: busybox\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.35.0-4\n\n" +
		"Package: tar\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.34+dfsg-1.2+deb12u1\n"
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), []byte(status), 0o644)
	return root
}

func TestDBAndScanCommands(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	if _, err := run(t, newScanCommand(), oldRootfs(t)); err == nil || !strings.Contains(err.Error(), "ward db import") {
		t.Fatalf("scan without a database: %v, want a hint to import", err)
	}
	out, err := run(t, newDBCommand(), "import", osvFixtures)
	if err != nil || !strings.Contains(out, "imported") {
		t.Fatalf("db import: %v\n%s", err, out)
	}
	out, err = run(t, newDBCommand(), "status", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var st vulndb.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Records == 0 {
		t.Fatalf("db status: %v\n%s", err, out)
	}

	root := oldRootfs(t)
	out, err = run(t, newScanCommand(), root, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Findings []struct {
			ID, Package, InstalledVersion, FixedVersion string
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		got[f.Package+" "+f.ID] = f.FixedVersion
	}
	if got["busybox DEBIAN-CVE-2022-48174"] != "1:1.35.0-4+deb12u1" {
		t.Errorf("busybox CVE-2022-48174 not found with its fix: %v", got)
	}
	if _, ok := got["tar DEBIAN-CVE-2022-48303"]; ok {
		t.Errorf("tar at its fixed version reported: %v", got)
	}
	if fix, ok := got["tar DEBIAN-CVE-2005-2541"]; !ok || fix != "" {
		t.Errorf("unfixed tar advisory missing or with a fix: %v", got)
	}

	_, err = run(t, newScanCommand(), root, "--fail-on", "critical")
	var ec interface{ ExitCode() int }
	if !errors.As(err, &ec) || ec.ExitCode() != 1 {
		t.Errorf("--fail-on critical: %v, want exit code 1", err)
	}
	if _, err := run(t, newScanCommand(), root, "--fail-on", "critical", "--ignore-unfixed", "--severity", "LOW"); err != nil {
		t.Errorf("--fail-on with everything filtered out: %v", err)
	}
	vex := filepath.Join(t.TempDir(), "vex.json")
	os.WriteFile(vex, []byte(`{"statements":[{"vulnerability":{"name":"CVE-2022-48174"},"products":[{"@id":"pkg:deb/debian/busybox"}],"status":"not_affected","justification":"vulnerable_code_not_present"}]}`), 0o644)
	out, err = run(t, newScanCommand(), root, "--vex", vex, "--format", "table")
	if err != nil || strings.Contains(out, "DEBIAN-CVE-2022-48174") || !strings.Contains(out, "suppressed") {
		t.Errorf("--vex did not suppress busybox: %v\n%s", err, out)
	}
}

func TestSBOMCommandOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bom.json")
	if _, err := run(t, newSBOMCommand(), oldRootfs(t), "--format", "cyclonedx-json", "-o", out); err != nil {
		t.Fatal(err)
	}
	var bom struct {
		SpecVersion string `json:"specVersion"`
		Components  []struct {
			Name, Version, Purl string
		} `json:"components"`
	}
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &bom); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range bom.Components {
		found = found || (c.Name == "busybox" && c.Version == "1:1.35.0-4" && strings.HasPrefix(c.Purl, "pkg:deb/debian/busybox@1:1.35.0-4?"))
	}
	if bom.SpecVersion != "1.5" || !found {
		t.Errorf("spec %s, busybox component found %v:\n%s", bom.SpecVersion, found, b)
	}
}

func TestDBUpdateCommand(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	files, _ := filepath.Glob(filepath.Join(osvFixtures, "go", "*.json"))
	for _, f := range files {
		w, _ := zw.Create(filepath.Base(f))
		b, _ := os.ReadFile(f)
		w.Write(b)
	}
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/Go/all.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(zbuf.Bytes())
	}))
	defer srv.Close()
	out, err := run(t, newDBCommand(), "update", "--from", srv.URL, "--ecosystem", "Go,Alpine")
	if err != nil || !strings.Contains(out, fmt.Sprintf("imported %d records", len(files))) || !strings.Contains(out, "Alpine/all.zip: not on the mirror") {
		t.Errorf("db update: %v\n%s", err, out)
	}
	if _, err := run(t, newDBCommand(), "update"); err == nil {
		t.Error("db update without --from succeeded")
	}
}
