package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/wardproject/ward/internal/testutil"
	"github.com/wardproject/ward/internal/testutil/imagearchive"
)

// checkJSON runs ward check with args and returns the rule IDs of its
// findings (with their severities), its standard error and its error.
func checkJSON(t *testing.T, args ...string) (map[string][]string, string, error) {
	t.Helper()
	out, errOut, err := checkJSONRaw(t, args...)
	if out == "" && exitStatusOf(err) == 2 {
		return nil, errOut, err // nothing was judged: one error, no report
	}
	var rep struct {
		Findings []struct {
			Rule, Severity, Message, Fix, File string
		}
		Errors []string
	}
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil {
		t.Fatalf("ward check %v: %v (%v)\n%s%s", args, jerr, err, out, errOut)
	}
	got := map[string][]string{}
	for _, f := range rep.Findings {
		if f.Fix == "" {
			t.Errorf("%s finding without a fix: %+v", f.Rule, f)
		}
		got[f.Rule] = append(got[f.Rule], f.Severity)
	}
	return got, errOut + strings.Join(rep.Errors, "\n"), err
}

func TestCheckStoredImage(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	layers := debianLayers(t)
	layers = append(layers, tarLayer(t, map[string]fileSpec{"usr/bin/apt-get": {data: "x", mode: 0o755}}))
	storeImage(t, "example.com/app:latest", v1.Config{Env: []string{"PATH=/usr/bin", "API_TOKEN=s3cr3t-value-123"}}, layers...)
	storeImage(t, "example.com/app:1.0", v1.Config{User: "1000:1000", Healthcheck: &v1.HealthConfig{Test: []string{"CMD", "/app", "health"}}},
		tarLayer(t, map[string]fileSpec{"app": {data: "x", mode: 0o755}}))

	// Without a database: said once, no image-scan finding, no failure.
	got, stderr, err := checkJSON(t, "example.com/app:latest", "example.com/app:1.0")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, id := range []string{"WD100", "WD190", "WD200", "WD210", "WD243", "WD245"} {
		if len(got[id]) != 1 {
			t.Errorf("%s: %d findings on app:latest, want 1 (all: %v)", id, len(got[id]), got)
		}
	}
	if len(got["WD260"]) != 0 || strings.Count(stderr, "image-scan not checked") != 1 {
		t.Errorf("no database: findings %v, stderr %q (want one note)", got["WD260"], stderr)
	}

	// With the database: one finding per severity present.
	if _, err := run(t, newDBCommand(), "import", osvFixtures); err != nil {
		t.Fatal(err)
	}
	got, stderr, err = checkJSON(t, "example.com/app:latest")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !contains(got["WD260"], "critical") {
		t.Errorf("WD260 %v: want the critical busybox CVE-2022-48174 bucket", got["WD260"])
	}
	// --fail-on-vuln high keeps only high and critical buckets.
	got, _, _ = checkJSON(t, "--fail-on-vuln", "high", "example.com/app:latest")
	for _, s := range got["WD260"] {
		if s != "high" && s != "critical" {
			t.Errorf("--fail-on-vuln high reported a %s bucket", s)
		}
	}
	// --policy restricted judges the image's user only when asked to gate
	// vulnerabilities too: runtime settings are the runner's.
	got, _, _ = checkJSON(t, "--policy", "restricted", "--fail-on-vuln", "critical", "example.com/app:latest")
	// The critical gate keeps the critical bucket and the unrated one
	// (UNKNOWN reaches every level), both critical.
	if len(got["WD260"]) == 0 || slices.ContainsFunc(got["WD260"], func(s string) bool { return s != "critical" }) || len(got["WD100"]) != 1 || len(got) != 2 {
		t.Errorf("restricted + critical gate: %v, want WD100 and critical WD260", got)
	}

	// A clean image: non-root, tagged, health-checked, nothing inside.
	got, _, err = checkJSON(t, "example.com/app:1.0")
	if err != nil || len(got) != 0 {
		t.Errorf("app:1.0: %v, %v, want no findings", got, err)
	}

	// An unknown name is an input error (exit 2), like a missing file.
	_, _, err = checkJSON(t, "example.com/nothing:1")
	var ec interface{ ExitCode() int }
	if !errors.As(err, &ec) || ec.ExitCode() != 2 {
		t.Errorf("unknown image: %v, want exit 2", err)
	}
}

// A docker-save / OCI archive is told by content, whatever its name.
func TestCheckImageArchive(t *testing.T) {
	testutil.RequireStaticBusybox(t)
	t.Setenv("WARD_ROOT", t.TempDir())
	path := filepath.Join(t.TempDir(), "saved.bin")
	imagearchive.Write(t, path, "registry.example.com/busybox:1.36", imagearchive.BusyboxLayer(t, "root:x:0:0::/root:/bin/sh\n", "root:x:0:\n"),
		ispec.ImageConfig{User: "nobody"})
	got, stderr, err := checkJSON(t, path)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if len(got["WD243"]) != 1 || len(got["WD100"]) != 0 || len(got["WD190"]) != 0 || len(got["WD200"]) != 0 {
		t.Errorf("busybox archive: %v, want only WD243 (no health check)", got)
	}
	// A directory holding the archive walks files only: tars are images
	// when named, not found by a walk; so there is nothing to check there.
	if got, _, err := checkJSON(t, filepath.Dir(path)); len(got) != 0 || exitStatusOf(err) != 2 || !strings.Contains(err.Error(), "nothing to check") {
		t.Errorf("walk picked up the archive: %v, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("WARD_ROOT"), "images")); err == nil {
		t.Error("checking an archive created an image store")
	}
}
