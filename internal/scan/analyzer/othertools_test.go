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

// TestMinbaseAgainstOtherTools compares ward's (name, version) set on the
// Debian 12 minbase rootfs with syft's and trivy's, each run offline:
//
//	go install github.com/anchore/syft/cmd/syft@v1.57.1
//	GOEXPERIMENT=jsonv2 go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0
func TestMinbaseAgainstOtherTools(t *testing.T) {
	if testing.Short() {
		t.Skip("the other tools take seconds; skipped in -short mode")
	}
	root := scantest.MinbaseRootfs(t)
	got := map[string]bool{}
	for _, p := range runOn(t, root).Packages {
		got[p.Name+" "+p.Version] = true
	}
	tools := []struct {
		name string
		args func(out string) []string
	}{
		{"syft", func(out string) []string { return []string{"scan", "dir:" + root, "-o", "cyclonedx-json=" + out, "-q"} }},
		{"trivy", func(out string) []string {
			return []string{"rootfs", "-q", "--offline-scan", "--skip-db-update", "--skip-java-db-update", "--skip-check-update",
				"--disable-telemetry", "--cache-backend", "memory", "--format", "cyclonedx", "-o", out, root}
		}},
	}
	for _, tool := range tools {
		t.Run(tool.name, func(t *testing.T) {
			bin := lookTool(tool.name)
			if bin == "" {
				t.Skipf("%s not installed (see the go install lines in this test's comment)", tool.name)
			}
			out := filepath.Join(t.TempDir(), "bom.json")
			cmd := exec.Command(bin, tool.args(out)...)
			cmd.Env = append(os.Environ(), "SYFT_CHECK_FOR_APP_UPDATE=false", "TRIVY_NO_PROGRESS=true")
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", tool.name, err, b)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var bom struct {
				Components []struct{ Type, Name, Version, Purl string } `json:"components"`
			}
			if err := json.Unmarshal(b, &bom); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, c := range bom.Components {
				// Packages only: syft also lists every owned file as a component.
				if c.Type != "operating-system" && c.Type != "file" && c.Purl != "" {
					want[c.Name+" "+c.Version] = true // a tool may list a package once per evidence file
				}
			}
			if diff := setDiff(got, want, tool.name); diff != "" {
				t.Errorf("ward and %s differ on the minbase rootfs:\n%s", tool.name, diff)
			}
			t.Logf("ward and %s agree on %d (name, version) pairs", tool.name, len(got))
		})
	}
}

// lookTool finds a tool on PATH, in $WARD_TOOLS or ~/.cache/ward/bin
// (where scripts/install-tools.sh builds them), or in ~/go/bin.
func lookTool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	var dirs []string
	if d := os.Getenv("WARD_TOOLS"); d != "" {
		dirs = append(dirs, d)
	}
	if home, _ := os.UserHomeDir(); home != "" {
		dirs = append(dirs, filepath.Join(home, ".cache/ward/bin"), filepath.Join(home, "go/bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func setDiff(got, want map[string]bool, other string) string {
	var lines []string
	for k := range got {
		if !want[k] {
			lines = append(lines, "only ward: "+k)
		}
	}
	for k := range want {
		if !got[k] {
			lines = append(lines, "only "+other+": "+k)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
