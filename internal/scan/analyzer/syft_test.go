package analyzer

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/scantest"
)

// TestMinbaseAgainstSyft compares ward's (name, version) set on the Debian
// 12 minbase rootfs with syft's (go install
// github.com/anchore/syft/cmd/syft@v1.57.1; it runs offline).
func TestMinbaseAgainstSyft(t *testing.T) {
	syft, err := exec.LookPath("syft")
	if err != nil {
		if home, _ := os.UserHomeDir(); home != "" {
			if p := filepath.Join(home, "go/bin/syft"); fileExists(p) {
				syft, err = p, nil
			}
		}
	}
	if err != nil {
		t.Skip("syft not installed (go install github.com/anchore/syft/cmd/syft@v1.57.1)")
	}
	if testing.Short() {
		t.Skip("syft takes seconds; skipped in -short mode")
	}
	root := scantest.MinbaseRootfs(t)
	out := filepath.Join(t.TempDir(), "syft.json")
	cmd := exec.Command(syft, "scan", "dir:"+root, "-o", "syft-json="+out, "-q")
	cmd.Env = append(os.Environ(), "SYFT_CHECK_FOR_APP_UPDATE=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("syft: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Artifacts []struct{ Name, Version string } `json:"artifacts"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, a := range doc.Artifacts {
		want[a.Name+" "+a.Version] = true // syft may list a package once per evidence file
	}
	got := map[string]bool{}
	for _, p := range runOn(t, root).Packages {
		got[p.Name+" "+p.Version] = true
	}
	if diff := setDiff(got, want); diff != "" {
		t.Errorf("ward and syft differ on the minbase rootfs:\n%s", diff)
	}
	t.Logf("ward and syft agree on %d (name, version) pairs", len(got))
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func setDiff(got, want map[string]bool) string {
	var lines []string
	for k := range got {
		if !want[k] {
			lines = append(lines, "only ward: "+k)
		}
	}
	for k := range want {
		if !got[k] {
			lines = append(lines, "only syft: "+k)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
