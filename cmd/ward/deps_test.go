package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoAuditParsers: ward does not link the parsers of the audit verbs
// (they run in ward-audit): their package initialization would slow the
// start of every ward command, `ward run` first.
func TestNoAuditParsers(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipped: the go tool is not on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, banned := range []string{
		"github.com/compose-spec/compose-go", "github.com/santhosh-tekuri/jsonschema", "k8s.io",
		"github.com/CycloneDX/cyclonedx-go",
	} {
		t.Run(banned, func(t *testing.T) {
			for _, d := range deps {
				if d == banned || strings.HasPrefix(d, banned+"/") {
					t.Errorf("ward links %s", d)
				}
			}
		})
	}
}
