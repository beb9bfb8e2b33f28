package analyzer

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/scan/scantest"
)

// purlTriple reduces a package URL to (type, name, version), the identity
// SBOM parity is judged on; "" when p is not a purl.
func purlTriple(p string) string {
	rest, ok := strings.CutPrefix(p, "pkg:")
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "#")
	rest, quals, _ := strings.Cut(rest, "?")
	typ, rest, _ := strings.Cut(rest, "/")
	nameVer := rest[strings.LastIndex(rest, "/")+1:]
	name, version, _ := strings.Cut(nameVer, "@")
	name, _ = url.PathUnescape(name)
	version, _ = url.PathUnescape(version)
	if typ == "pypi" {
		name = strings.ReplaceAll(strings.ToLower(name), "_", "-") // PEP 503 spelling differences
	}
	// An epoch is in the version (syft, ward's deb) or a qualifier
	// (trivy, rpm purls): the same version either way.
	if q, err := url.ParseQuery(quals); err == nil && q.Get("epoch") != "" && !strings.Contains(version, ":") {
		version = q.Get("epoch") + ":" + version
	}
	// The Go toolchain: trivy writes v1.21.3, syft and ward 1.21.3.
	if typ == "golang" && name == "stdlib" {
		version = strings.TrimPrefix(strings.TrimPrefix(version, "go"), "v")
	}
	return typ + " " + name + " " + version
}

// TestMixedRootAgainstOtherTools is the SBOM parity check: on a root
// holding every ecosystem ward reads, ward reports at least the (purl
// type, name, version) triples syft and trivy report, per ecosystem.
//
//	go install github.com/anchore/syft/cmd/syft@v1.57.1
//	GOEXPERIMENT=jsonv2 go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0
func TestMixedRootAgainstOtherTools(t *testing.T) {
	if testing.Short() {
		t.Skip("the other tools take seconds; skipped in -short mode")
	}
	root := scantest.MixedRootfs(t)
	got := map[string]bool{}
	types := map[string]int{}
	for _, p := range runOn(t, root).Packages {
		got[purlTriple(p.PURL)] = true
		types[strings.Fields(purlTriple(p.PURL))[0]]++
	}
	for _, typ := range []string{"deb", "npm", "pypi", "gem", "maven", "golang", "cargo", "composer"} {
		if types[typ] == 0 {
			t.Errorf("ward found no %s package in the mixed root", typ)
		}
	}
	tools := []struct {
		name string
		args func(out string) []string
	}{
		// The root is an image's filesystem: syft's image catalogers
		// (installed packages), not its directory ones (lock files).
		{"syft", func(out string) []string {
			return []string{"scan", "dir:" + root, "--override-default-catalogers", "image", "-o", "cyclonedx-json=" + out, "-q"}
		}},
		// trivy reads jars through its Java DB, downloaded on first use:
		// offline it cannot, so its run leaves jars out.
		{"trivy", func(out string) []string {
			return []string{"rootfs", "-q", "--offline-scan", "--skip-db-update", "--skip-java-db-update", "--skip-check-update",
				"--disable-telemetry", "--cache-backend", "memory", "--skip-files", "**/*.jar", "--format", "cyclonedx", "-o", out, root}
		}},
	}
	for _, tool := range tools {
		t.Run(tool.name, func(t *testing.T) {
			bin := lookTool(tool.name)
			if bin == "" {
				t.Skipf("%s not installed (scripts/install-tools.sh)", tool.name)
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
			var missing []string
			theirs := map[string]int{}
			for _, c := range bom.Components {
				tr := purlTriple(c.Purl)
				if tr == "" || c.Type == "file" || c.Type == "operating-system" {
					continue
				}
				theirs[strings.Fields(tr)[0]]++
				if !got[tr] && !explainedOtherOnly(tr) {
					missing = append(missing, tr)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s reports %d packages ward does not:\n%s", tool.name, len(missing), strings.Join(missing, "\n"))
			}
			t.Logf("ward: %v; %s: %v", types, tool.name, theirs)
		})
	}
}

// explainedOtherOnly is what another tool reports and ward, knowingly,
// does not: the main module of a Go binary built outside a module version
// (syft lists "gofmt" without a version; nothing can be matched by it).
func explainedOtherOnly(triple string) bool {
	return strings.HasPrefix(triple, "golang ") && strings.HasSuffix(triple, " ")
}
