package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckNothingToCheck: a path that does not exist, and a directory
// holding nothing ward checks, exit 2 with one error and no checklist
// answer, so a CI job pointed at the wrong directory fails.
func TestCheckNothingToCheck(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	for _, tc := range []struct {
		name string
		args []string
		err  string
	}{
		{"missing path", []string{filepath.Join(t.TempDir(), "absent")}, "no such file, directory or image"},
		{"empty directory", []string{t.TempDir()}, "nothing to check in"},
	} {
		for _, format := range []string{"text", "json", "sarif"} {
			t.Run(tc.name+" "+format, func(t *testing.T) {
				cmd := newCheckCommand()
				out, err := run(t, cmd, append([]string{"--format", format}, tc.args...)...)
				if got := exitStatusOf(err); got != 2 {
					t.Errorf("exit %d, want 2", got)
				}
				if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %v, want one line about %q", err, tc.err)
				}
				if out != "" {
					t.Errorf("a report was written:\n%s", out)
				}
			})
		}
	}
}

// TestCheckSeverityAndLinks: --severity keeps only the listed severities,
// and every finding links to its rule in docs/RULES.md, in every format.
func TestCheckSeverityAndLinks(t *testing.T) {
	dockerfile := filepath.Join(corpus, "dockerfile", "hygiene.Dockerfile")
	out, err := run(t, newCheckCommand(), "--format", "json", "--severity", "HIGH,critical", dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Findings []struct{ Rule, Severity, Link string }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		t.Fatal("no high or critical finding in the hygiene fixture")
	}
	for _, f := range rep.Findings {
		if f.Severity != "high" && f.Severity != "critical" {
			t.Errorf("--severity HIGH,CRITICAL kept %s %s", f.Rule, f.Severity)
		}
		if f.Link != "https://github.com/wardproject/ward/blob/main/docs/RULES.md#"+strings.ToLower(f.Rule) {
			t.Errorf("%s link %q", f.Rule, f.Link)
		}
	}
	if _, err := run(t, newCheckCommand(), "--severity", "SEVERE", dockerfile); exitStatusOf(err) != 2 {
		t.Errorf("--severity SEVERE: %v, want exit 2", err)
	}
	text, _ := run(t, newCheckCommand(), dockerfile)
	if !strings.Contains(text, "see: https://github.com/wardproject/ward/blob/main/docs/RULES.md#wd210") {
		t.Errorf("text has no rule link:\n%s", text)
	}
	sarifOut, _ := run(t, newCheckCommand(), "--format", "sarif", dockerfile)
	if !strings.Contains(sarifOut, `"helpUri": "https://github.com/wardproject/ward/blob/main/docs/RULES.md#wd100"`) {
		t.Errorf("sarif rules have no helpUri:\n%.2000s", sarifOut)
	}
}
