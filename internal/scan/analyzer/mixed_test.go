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
	rest, _, _ = strings.Cut(rest, "?")
	rest, _, _ = strings.Cut(rest, "#")
	typ, rest, _ := strings.Cut(rest, "/")
	nameVer := rest[strings.LastIndex(rest, "/")+1:]
	name, version, _ := strings.Cut(nameVer, "@")
	name, _ = url.PathUnescape(name)
	version, _ = url.PathUnescape(version)
	if typ == "pypi" {
		name = strings.ReplaceAll(strings.ToLower(name), "_", "-") // PEP 503 spelling differences
	}
	return typ + " " + name + " " + version
}

// TestMixedRootAgainstSyft is the SBOM parity check: on a root holding
// every ecosystem ward reads, ward reports at least the (purl type, name,
// version) triples syft reports, per ecosystem.
//
//	go install github.com/anchore/syft/cmd/syft@v1.57.1
func TestMixedRootAgainstSyft(t *testing.T) {
	if testing.Short() {
		t.Skip("syft takes seconds; skipped in -short mode")
	}
	bin := lookTool("syft")
	if bin == "" {
		t.Skip("syft not installed (scripts/install-tools.sh)")
	}
	root := scantest.MixedRootfs(t)
	got := map[string]bool{}
	types := map[string]int{}
	for _, p := range runOn(t, root).Packages {
		got[purlTriple(p.PURL)] = true
		types[strings.Fields(purlTriple(p.PURL))[0]]++
	}
	out := filepath.Join(t.TempDir(), "bom.json")
	// The root is an image's filesystem: judge it with syft's image
	// catalogers (installed packages), not its directory ones (lock files).
	cmd := exec.Command(bin, "scan", "dir:"+root, "--override-default-catalogers", "image", "-o", "cyclonedx-json="+out, "-q")
	cmd.Env = append(os.Environ(), "SYFT_CHECK_FOR_APP_UPDATE=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("syft: %v\n%s", err, b)
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
	syftTypes := map[string]int{}
	for _, c := range bom.Components {
		tr := purlTriple(c.Purl)
		if tr == "" || c.Type == "file" || c.Type == "operating-system" {
			continue
		}
		syftTypes[strings.Fields(tr)[0]]++
		if !got[tr] && !explainedSyftOnly(tr) {
			missing = append(missing, tr)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("syft reports %d packages ward does not:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	for _, typ := range []string{"deb", "npm", "pypi", "gem", "maven", "golang", "cargo", "composer"} {
		if types[typ] == 0 {
			t.Errorf("ward found no %s package in the mixed root", typ)
		}
	}
	t.Logf("ward: %v; syft: %v", types, syftTypes)
}

// explainedSyftOnly is what syft reports and ward, knowingly, does not:
// the main module of a Go binary built outside a module version (syft
// lists "gofmt" without a version; nothing can be matched by it).
func explainedSyftOnly(triple string) bool {
	return strings.HasPrefix(triple, "golang ") && strings.HasSuffix(triple, " ")
}
