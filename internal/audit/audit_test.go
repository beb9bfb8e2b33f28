package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/sarif"
	"github.com/wardproject/ward/internal/workload"
)

// fire is a rule that reports one violation on every workload, so the
// plumbing around rules can be tested without the real table.
func fire(id string, c Checklist, s Severity) Rule {
	fix := map[workload.Kind]string{}
	for _, k := range workload.Kinds {
		fix[k] = "fix " + id
	}
	return Rule{ID: id, Checklist: c, Severity: s, Title: "title " + id, Why: "why", Fix: fix,
		Check: func(w *workload.Workload, _ Settings) []Violation {
			return []Violation{{Message: "message " + id}}
		}}
}

func sampleReport() *Report {
	ws := []workload.Workload{
		{Kind: workload.KindCompose, File: "compose.yaml", Line: 2, Resource: "service web"},
		{Kind: workload.KindKubernetes, File: "k8s/pod.yaml", Line: 7, Resource: "Pod/p container c"},
	}
	rules := []Rule{fire("WD100", NonRoot, High), fire("WD120", Privileged, Critical)}
	r := &Report{
		Inputs:   []Input{{File: "compose.yaml", Kind: workload.KindCompose, Workloads: 1}, {File: "k8s/pod.yaml", Kind: workload.KindKubernetes, Workloads: 1}},
		Findings: Evaluate(rules, ws, Settings{}),
	}
	r.Summarize(rules, false)
	return r
}

func TestEvaluateSkipsKindsWithoutFix(t *testing.T) {
	r := fire("WD999", Resources, Low)
	delete(r.Fix, workload.KindDockerfile)
	got := Evaluate([]Rule{r}, []workload.Workload{{Kind: workload.KindDockerfile}, {Kind: workload.KindOCI, Line: 3}}, Settings{})
	if len(got) != 1 || got[0].Line != 3 || got[0].Fix != "fix WD999" {
		t.Errorf("got %+v, want one finding on the OCI workload at line 3", got)
	}
}

// A ward container is judged from its spec (Kind oci) and fixed with run
// flags (FixKind inspect): a rule applies when it judges either kind, and
// gives the FixKind's fix when it has one.
func TestEvaluateFixKind(t *testing.T) {
	both := fire("WD998", Resources, Low)
	both.Fix = map[workload.Kind]string{workload.KindOCI: "set the field", workload.KindInspect: "run with a flag"}
	inspectOnly := fire("WD997", Network, Low)
	inspectOnly.Fix = map[workload.Kind]string{workload.KindInspect: "run with another flag"}
	w := workload.Workload{Kind: workload.KindOCI, FixKind: workload.KindInspect}
	got := Evaluate([]Rule{both, inspectOnly}, []workload.Workload{w}, Settings{})
	if len(got) != 2 || got[0].Fix != "run with a flag" && got[1].Fix != "run with a flag" {
		t.Errorf("with FixKind: %+v", got)
	}
	got = Evaluate([]Rule{both, inspectOnly}, []workload.Workload{{Kind: workload.KindOCI}}, Settings{})
	if len(got) != 1 || got[0].Fix != "set the field" {
		t.Errorf("a plain config.json: %+v", got)
	}
}

func TestSeverity(t *testing.T) {
	for _, name := range []string{"info", "low", "medium", "high", "critical"} {
		t.Run(name, func(t *testing.T) {
			s, err := ParseSeverity(strings.ToUpper(name))
			if err != nil || s.String() != name {
				t.Errorf("ParseSeverity(%q) = %v, %v", name, s, err)
			}
		})
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("ParseSeverity accepted an unknown name")
	}
}

func TestSummaryAnswers(t *testing.T) {
	r := sampleReport()
	want := map[string]string{
		"Runs as non-root?":                 "no",
		"Unnecessary capabilities removed?": "no", // privileged counts
		"Image trusted and scanned?":        "not checked",
		"Privileged avoided?":               "no",
	}
	if len(r.Summary.Questions) != len(want) {
		t.Fatalf("got %d questions, want %d", len(r.Summary.Questions), len(want))
	}
	for _, q := range r.Summary.Questions {
		if want[q.Question] != q.Answer {
			t.Errorf("%s = %q, want %q (%s)", q.Question, q.Answer, want[q.Question], q.Detail)
		}
	}
	all := []Rule{fire("WD100", NonRoot, High), fire("WD110", Capabilities, Medium), fire("WD120", Privileged, Critical)}
	clean := &Report{Inputs: []Input{{File: "f", Workloads: 3}}}
	clean.Summarize(all, true)
	for _, q := range clean.Summary.Questions {
		if q.Answer != "yes" && q.Question != "Image trusted and scanned?" {
			t.Errorf("clean report: %s = %q", q.Question, q.Answer)
		}
	}
}

// A question no evaluated rule judges is not answered "yes".
func TestSummaryNotChecked(t *testing.T) {
	r := &Report{Inputs: []Input{{File: "f", Workloads: 1}}}
	r.Summarize([]Rule{fire("WD120", Privileged, Critical)}, false)
	for _, q := range r.Summary.Questions {
		want := "not checked"
		if q.Question == "Privileged avoided?" {
			want = "yes"
		}
		if q.Answer != want {
			t.Errorf("%s = %q, want %q", q.Question, q.Answer, want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 4 {
		t.Fatalf("got %d findings, want 4", len(doc.Findings))
	}
	for _, f := range doc.Findings {
		for _, k := range []string{"rule", "checklist", "severity", "title", "file", "line", "resource", "message", "fix"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding lacks %q: %v", k, f)
			}
		}
	}
	buf.Reset()
	if err := WriteJSON(&buf, &Report{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"findings": []`) {
		t.Errorf("empty report must hold an empty findings array:\n%s", buf.String())
	}
}

func TestWriteSARIF(t *testing.T) {
	rules := []Rule{fire("WD100", NonRoot, High), fire("WD120", Privileged, Critical)}
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, sampleReport(), rules); err != nil {
		t.Fatal(err)
	}
	var log sarif.Log
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != 2 || len(run.Results) != 4 {
		t.Fatalf("%d rules, %d results", len(run.Tool.Driver.Rules), len(run.Results))
	}
	for _, res := range run.Results {
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI == "" || loc.Region == nil || loc.Region.StartLine < 1 {
			t.Errorf("result without file and line: %+v", res)
		}
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("ruleIndex %d does not point at %s", res.RuleIndex, res.RuleID)
		}
	}
}

func TestWriteText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, sampleReport(), false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"non-root (2)", "privileged (2)", "compose.yaml:2", "Runs as non-root?", "Privileged avoided?"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes without colour")
	}
	if strings.Index(out, "non-root") > strings.Index(out, "privileged (") {
		t.Error("groups not in checklist order")
	}
}

func TestSuppressions(t *testing.T) {
	data, err := os.ReadFile("testdata/suppress/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	sups, err := ParseSuppressions("Dockerfile", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(sups) != 2 || sups[0].Target != 2 || sups[1].Line != 3 || sups[1].Reason == "" {
		t.Fatalf("parsed %+v", sups)
	}
	f := func(rule string, line, resLine int) Finding {
		return Finding{Rule: rule, File: "Dockerfile", Line: line, ResourceLine: resLine}
	}
	cases := []struct {
		name       string
		finding    Finding
		suppressed bool
	}{
		{"next line", f("WD100", 2, 2), true},
		{"second ID of the comment", f("WD243", 2, 2), true},
		{"trailing comment", f("WD241", 3, 2), true},
		{"other line", f("WD241", 4, 2), false},
		{"other rule", f("WD140", 2, 2), false},
		{"other file", Finding{Rule: "WD100", File: "x", Line: 2}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kept, sup := ApplySuppressions([]Finding{tc.finding}, sups)
			if (len(sup) == 1) != tc.suppressed || len(kept)+len(sup) != 1 {
				t.Errorf("kept %v suppressed %v", kept, sup)
			}
		})
	}
	noReason, _ := os.ReadFile("testdata/suppress/noreason.yaml")
	if _, err := ParseSuppressions("noreason.yaml", noReason); err == nil || !strings.Contains(err.Error(), "noreason.yaml:4") {
		t.Errorf("a suppression without reason must fail naming file and line, got %v", err)
	}
}

func TestConfig(t *testing.T) {
	c, err := LoadConfig("testdata/ward.yaml", true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.TrustedRegistries, []string{"registry.example.com"}) || c.Severity["WD140"] != High {
		t.Fatalf("loaded %+v", c)
	}
	fs := []Finding{
		{Rule: "WD243", File: "a/Dockerfile"},
		{Rule: "WD150", File: "deploy/dev/pod.yaml"},
		{Rule: "WD150", File: "deploy/prod/pod.yaml"},
		{Rule: "WD140", File: "compose.yaml", Severity: Low},
	}
	kept, sup := c.Apply(fs)
	if len(sup) != 2 || len(kept) != 2 {
		t.Fatalf("kept %v, suppressed %v", kept, sup)
	}
	if kept[0].File != "deploy/prod/pod.yaml" || kept[1].Severity != High {
		t.Errorf("kept %+v", kept)
	}
	if err := c.Validate(func(id string) bool { return id != "WD150" }); err == nil {
		t.Error("Validate accepted an unknown rule")
	}
	if _, err := LoadConfig("testdata/badfield.yaml", true); err == nil {
		t.Error("unknown config field accepted")
	}
	if c, err := LoadConfig("testdata/absent.yaml", false); err != nil || len(c.Ignore) != 0 {
		t.Errorf("absent optional config: %v, %v", c, err)
	}
	if _, err := LoadConfig("testdata/absent.yaml", true); err == nil {
		t.Error("absent required config accepted")
	}
}

func TestAcceptRoundTrip(t *testing.T) {
	old := []Finding{{Rule: "WD100", File: "compose.yaml", Line: 2, Resource: "service web", Message: "m"}}
	path := filepath.Join(t.TempDir(), "accepted.json")
	var buf bytes.Buffer
	if err := WriteAccept(&buf, old); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := LoadAccept(path)
	if err != nil {
		t.Fatal(err)
	}
	moved := old[0]
	moved.Line = 40 // an unrelated edit moved it
	fresh := Finding{Rule: "WD120", File: "compose.yaml", Line: 3, Resource: "service web", Message: "m"}
	kept, sup := ApplyAccepted([]Finding{moved, fresh}, set)
	if len(kept) != 1 || kept[0].Rule != "WD120" || len(sup) != 1 {
		t.Errorf("kept %v suppressed %v", kept, sup)
	}
}
