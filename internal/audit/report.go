package audit

import (
	"fmt"
	"strings"

	"github.com/wardproject/ward/internal/workload"
)

// Report is the outcome of one `ward check`: what was read, what was found,
// and what was found but suppressed (kept apart, never in Findings).
type Report struct {
	Inputs     []Input      `json:"inputs"`
	Findings   []Finding    `json:"findings"`
	Suppressed []Suppressed `json:"suppressed,omitempty"`
	Errors     []string     `json:"errors,omitempty"`
	Summary    Summary      `json:"summary"`
	// images counts the workloads whose image ward read, scanned those
	// matched against the vulnerability database: the summary's
	// "scanned?" question.
	images, scanned int
	// incomplete counts the scanned images whose scan had coverage gaps.
	incomplete int
	// mappedRoot counts the workloads whose process is uid 0 in a user
	// namespace that maps it to an unprivileged host uid: not root to
	// the host, which the non-root answer says.
	mappedRoot int
}

// Input is one file read.
type Input struct {
	File      string        `json:"file"`
	Kind      workload.Kind `json:"kind"`
	Workloads int           `json:"workloads"`
}

// Suppressed is a finding left out of the report, and why.
type Suppressed struct {
	Finding
	By     string `json:"by"` // "inline", "config" or "accept"
	Reason string `json:"reason,omitempty"`
}

// Summary answers the production checklist's four questions.
type Summary struct {
	Workloads  int            `json:"workloads"`
	BySeverity map[string]int `json:"bySeverity"`
	Questions  []Answer       `json:"questions"`
}

// Answer is one checklist question and ward's answer: "yes", "no",
// "partly" (half of a two-part question judged, and fine) or "not
// checked", with a detail saying why.
type Answer struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
	Detail   string `json:"detail"`
}

// Summarize fills r.Summary from its findings. rules are those evaluated: a
// question none of them judges is answered "not checked", not "yes".
// trustChecked says whether trusted registries were configured or images
// were judged under a trust policy.
func (r *Report) Summarize(rules []Rule, trustChecked bool) {
	judged := map[Checklist]bool{}
	for _, rule := range rules {
		judged[rule.Checklist] = true
	}
	s := Summary{BySeverity: map[string]int{}}
	for _, in := range r.Inputs {
		s.Workloads += in.Workloads
	}
	count := map[Checklist]int{}
	resources := map[Checklist]map[string]bool{}
	for _, f := range r.Findings {
		s.BySeverity[f.Severity.String()]++
		count[f.Checklist]++
		if resources[f.Checklist] == nil {
			resources[f.Checklist] = map[string]bool{}
		}
		resources[f.Checklist][f.File+"\x00"+f.Resource] = true
	}
	yesNo := func(q string, c Checklist, bad string) Answer {
		if n := len(resources[c]); n > 0 {
			return Answer{Question: q, Answer: "no", Detail: fmt.Sprintf("%d of %d workloads %s", n, s.Workloads, bad)}
		}
		if !judged[c] {
			return Answer{Question: q, Answer: "not checked", Detail: "no rule of this policy judges it"}
		}
		return Answer{Question: q, Answer: "yes", Detail: fmt.Sprintf("all %d workloads", s.Workloads)}
	}
	nonRoot := yesNo("Runs as non-root?", NonRoot, "run as root")
	if r.mappedRoot > 0 && nonRoot.Answer != "not checked" {
		nonRoot.Detail += fmt.Sprintf("; %d run as uid 0 inside a user namespace that maps it to an unprivileged host uid (root inside, nobody to the host)", r.mappedRoot)
	}
	s.Questions = append(s.Questions, nonRoot)
	// A privileged workload has every capability, so it counts here too.
	for k := range resources[Privileged] {
		if resources[Capabilities] == nil {
			resources[Capabilities] = map[string]bool{}
		}
		resources[Capabilities][k] = true
	}
	s.Questions = append(s.Questions, yesNo("Unnecessary capabilities removed?", Capabilities, "keep or add capabilities beyond what is needed"))
	trust := Answer{Question: "Image trusted and scanned?", Answer: "not checked",
		Detail: "file inputs name images but do not contain them: run `ward check IMAGE` or `ward scan IMAGE`; set trusted-registries in .ward.yaml to judge origins"}
	var parts []string
	bad := false
	if trustChecked && judged[ImageTrust] {
		if n := count[ImageTrust]; n > 0 {
			bad = true
			parts = append(parts, fmt.Sprintf("%d images not trusted (registry or signature)", n))
		} else {
			parts = append(parts, "every image is trusted (registry or verified signature)")
		}
	}
	if r.scanned > 0 && judged[ImageScan] {
		switch n := len(resources[ImageScan]); {
		case n > 0:
			bad = true
			parts = append(parts, fmt.Sprintf("%d of %d scanned images have known vulnerabilities or coverage gaps", n, r.scanned))
		case r.incomplete > 0:
			// Accepted with --allow-uncovered: still not a clean bill.
			parts = append(parts, fmt.Sprintf("%d of %d scanned images not fully covered (accepted)", r.incomplete, r.scanned))
		default:
			parts = append(parts, fmt.Sprintf("%d images scanned, no known vulnerabilities", r.scanned))
		}
	} else if r.scanned > 0 {
		parts = append(parts, "images scanned, but no rule of this policy judges vulnerabilities (--fail-on-vuln)")
	} else if r.images > 0 {
		parts = append(parts, fmt.Sprintf("%d images read but not scanned: no vulnerability database (ward db import)", r.images))
	} else {
		parts = append(parts, "scanning: run `ward check IMAGE` with a vulnerability database (ward db import)")
	}
	if len(parts) > 1 || r.images > 0 || trustChecked && judged[ImageTrust] {
		trust.Answer = "yes"
		if bad {
			trust.Answer = "no"
		} else if r.scanned == 0 || r.incomplete > 0 || !(trustChecked && judged[ImageTrust]) {
			trust.Answer = "partly"
		}
		trust.Detail = strings.Join(parts, "; ")
	}
	s.Questions = append(s.Questions, trust)
	s.Questions = append(s.Questions, yesNo("Privileged avoided?", Privileged, "run privileged"))
	r.Summary = s
}

// Worst returns the highest severity among the findings, and false if none.
func (r *Report) Worst() (Severity, bool) {
	worst, any := Info, false
	for _, f := range r.Findings {
		if !any || f.Severity > worst {
			worst, any = f.Severity, true
		}
	}
	return worst, any
}
