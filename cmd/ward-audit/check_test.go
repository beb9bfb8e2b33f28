package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

const corpus = "../../internal/audit/testdata/corpus"

// exitOf runs ward check with args and returns the exit status main would use.
func exitOf(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := newCheckCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return 0, out.String()
	}
	var ec interface{ ExitCode() int }
	if !errors.As(err, &ec) {
		t.Fatalf("error without exit code: %v", err)
	}
	return ec.ExitCode(), out.String()
}

func TestCheckExitCodes(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"findings without --fail-on", []string{corpus}, 0},
		{"fail-on high", []string{"--fail-on", "high", corpus}, 1},
		{"clean file under fail-on info", []string{"--fail-on", "info", filepath.Join(corpus, "kubernetes", "hardened.yaml")}, 0},
		{"unknown flag", []string{"--nope", corpus}, 2},
		{"unknown format", []string{"--format", "xml", corpus}, 2},
		{"unknown severity", []string{"--fail-on", "severe", corpus}, 2},
		{"unknown policy", []string{"--policy", "lax", corpus}, 2},
		{"missing path", []string{filepath.Join(corpus, "absent.yaml")}, 2},
		{"unrecognised file", []string{"check_test.go"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got, out := exitOf(t, append([]string{"--format", "json"}, tc.args...)...); got != tc.want {
				t.Errorf("exit %d, want %d\n%s", got, tc.want, out)
			}
		})
	}
}

func TestCheckAcceptOnlyNewFail(t *testing.T) {
	dir := t.TempDir()
	accepted := filepath.Join(dir, "accepted.json")
	if code, out := exitOf(t, "--format", "json", "--write-accept", accepted, corpus); code != 0 {
		t.Fatalf("write-accept: exit %d\n%s", code, out)
	}
	code, out := exitOf(t, "--format", "json", "--fail-on", "info", "--accept", accepted, corpus)
	if code != 0 {
		t.Fatalf("with every finding accepted: exit %d\n%s", code, out)
	}
	var doc struct {
		Findings   []json.RawMessage `json:"findings"`
		Suppressed []json.RawMessage `json:"suppressed"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 0 || len(doc.Suppressed) == 0 {
		t.Errorf("%d findings, %d suppressed; want none reported and all suppressed", len(doc.Findings), len(doc.Suppressed))
	}
}

func TestCheckConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ward.yaml")
	if err := os.WriteFile(cfg, []byte("ignore:\n  - WD181\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(corpus, "kubernetes", "migrate-job.yml") // its only finding is WD181
	if code, out := exitOf(t, "--format", "json", "--fail-on", "info", job); code != 1 {
		t.Fatalf("without config: exit %d\n%s", code, out)
	}
	if code, out := exitOf(t, "--format", "json", "--fail-on", "info", "--config", cfg, job); code != 0 {
		t.Fatalf("with WD181 ignored: exit %d\n%s", code, out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("ignore:\n  - WD999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _ := exitOf(t, "--config", bad, job); code != 2 {
		t.Errorf("unknown rule in config: exit %d, want 2", code)
	}
}
