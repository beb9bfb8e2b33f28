package policy

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// A vulnerability gate adds image-scan to a profile and refuses only the
// severities at or above it; the profile itself is left unchanged.
func TestWithFailOnVuln(t *testing.T) {
	w := workload.Workload{Kind: workload.KindInspect, Resource: "c", User: workload.User{Name: "1000"}, Seccomp: workload.SeccompDefault,
		Content: &workload.ImageContent{Scan: &workload.ImageScan{Vulnerabilities: []workload.Vulnerability{
			{ID: "A", Package: "p", Severity: "HIGH"}, {ID: "B", Package: "q", Severity: "MEDIUM"},
		}}}}
	def, _ := Lookup("default")
	if fs := Evaluate(def, w); len(fs) != 0 {
		t.Fatalf("default refuses %v", fs)
	}
	for _, tc := range []struct {
		gate audit.Severity
		want int
	}{{audit.Critical, 0}, {audit.High, 1}, {audit.Medium, 2}, {audit.Low, 2}} {
		p := def.WithFailOnVuln(tc.gate)
		if fs := Evaluate(p, w); len(fs) != tc.want {
			t.Errorf("gate %s: %d findings %v, want %d", tc.gate, len(fs), fs, tc.want)
		}
	}
	if len(def.Rules) != 0 || def.FailOnVuln != nil {
		t.Errorf("WithFailOnVuln changed the profile it was called on: %+v", def)
	}
}

// An image whose scan had coverage gaps passes no vulnerability gate: what
// the gate could not see is refused, at every level.
func TestFailOnVulnRefusesUncovered(t *testing.T) {
	w := workload.Workload{Kind: workload.KindInspect, Resource: "c", User: workload.User{Name: "1000"}, Seccomp: workload.SeccompDefault,
		Content: &workload.ImageContent{Scan: &workload.ImageScan{Gaps: []string{"distribution amzn 2: no advisories"}}}}
	def, _ := Lookup("default")
	fs := Evaluate(def.WithFailOnVuln(audit.Critical), w)
	if len(fs) != 1 || fs[0].Rule != CoverageRule {
		t.Errorf("findings %+v, want one %s", fs, CoverageRule)
	}
}
