package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuditVerbsPassedOn: ward check, sbom, scan and db run in ward-audit
// beside ward, with their arguments, output and exit statuses unchanged;
// without ward-audit they say where it should be.
func TestAuditVerbsPassedOn(t *testing.T) {
	bins := sharedBinaries(t)
	dockerfile := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(dockerfile, []byte("FROM busybox:1.36\nUSER 10001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	alone := t.TempDir() // ward without ward-audit
	data, err := os.ReadFile(filepath.Join(bins, "ward"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(alone, "ward"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, tc := range []struct {
		name     string
		bin      string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"check passes its flags on", bins, []string{"check", "--format", "json", dockerfile}, 0, `"findings"`},
		{"check's own exit status", bins, []string{"check", "--fail-on", "info", dockerfile}, 1, "WD"},
		{"check's usage error", bins, []string{"check", filepath.Join(root, "missing")}, 2, "missing"},
		{"help of the verb", bins, []string{"check", "--help"}, 0, "ward check reads"},
		{"ward help VERB", bins, []string{"help", "scan"}, 0, "--fail-on"},
		{"global --root before the verb", bins, []string{"--root", root, "db", "status"}, 2, filepath.Join(root, "vulndb")},
		{"without ward-audit", alone, []string{"check", dockerfile}, 125, "ward-audit is neither beside ward nor on PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(filepath.Join(tc.bin, "ward"), tc.args...)
			cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin", "WARD_ROOT="+root)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				t.Fatal(err)
			}
			if code := cmd.ProcessState.ExitCode(); code != tc.wantCode || !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("ward %q: exit %d, want %d; output does not contain %q:\n%s", tc.args, code, tc.wantCode, tc.wantOut, out.String())
			}
		})
	}
}
