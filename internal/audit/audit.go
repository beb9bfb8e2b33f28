// Package audit judges workloads against the production checklist.
//
// A Rule is a record: a stable ID, the checklist item it belongs to, a
// severity, a title, why it matters, and how to fix it for each input kind
// (the exact flag or field). A rule applies to exactly the kinds it has fix
// text for: a Dockerfile cannot drop capabilities, so capability rules carry
// no Dockerfile fix and never judge one. Evaluate runs rules over workloads
// and returns Findings, one per violation. The rules themselves live in
// audit/rules, listed in one table; policy profiles are sets of their IDs.
package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/workload"
)

// Severity orders findings; higher is worse.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = []string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads "info" .. "critical", case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	i := slices.Index(severityNames, strings.ToLower(strings.TrimSpace(s)))
	if i < 0 {
		return 0, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames, ", "))
	}
	return Severity(i), nil
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Checklist names a production checklist item. The names are stable: CI
// configurations and dashboards key on them. New ones may be added.
type Checklist string

const (
	NonRoot         Checklist = "non-root"
	Capabilities    Checklist = "capabilities"
	Privileged      Checklist = "privileged"
	NoNewPrivileges Checklist = "no-new-privileges"
	ReadOnlyRootfs  Checklist = "read-only-rootfs"
	HostMounts      Checklist = "host-mounts"
	HostNamespaces  Checklist = "host-namespaces"
	HostNetwork     Checklist = "host-network"
	Seccomp         Checklist = "seccomp"
	Isolation       Checklist = "isolation" // AppArmor, SELinux, masked /proc, sysctls
	ImageTag        Checklist = "image-tag"
	MinimalImage    Checklist = "minimal-image"
	Secrets         Checklist = "secrets"
	Resources       Checklist = "resources"
	Network         Checklist = "network"
	ImageHygiene    Checklist = "image-hygiene"
	ImageScan       Checklist = "image-scan"
	ImageTrust      Checklist = "image-trust"
)

// ChecklistOrder is the order the text report groups findings in.
var ChecklistOrder = []Checklist{
	NonRoot, Capabilities, Privileged, NoNewPrivileges, ReadOnlyRootfs, HostMounts,
	HostNamespaces, HostNetwork, Seccomp, Isolation, ImageTag, MinimalImage, Secrets, Resources,
	Network, ImageHygiene, ImageScan, ImageTrust,
}

// Settings carries what rules need from configuration.
type Settings struct {
	// TrustedRegistries, when not empty, lists the registries images may
	// come from ("registry.example.com", "ghcr.io/org").
	TrustedRegistries []string
	// MinVulnSeverity is the lowest vulnerability severity image-scan
	// reports (`--fail-on-vuln`); Info, the zero value, reports all.
	MinVulnSeverity Severity
	// AllowUncovered accepts an image scan with coverage gaps
	// (--allow-uncovered); else image-scan reports them (WD261).
	AllowUncovered bool
}

// Violation is what a rule's check reports: a message naming the offending
// value, and the line it sits on (0: the field's or resource's line).
type Violation struct {
	Message string
	Line    int
	// Severity, when set, replaces the rule's: image-scan reports one
	// violation per vulnerability severity.
	Severity *Severity
}

// Rule is one check of the checklist.
type Rule struct {
	ID        string
	Checklist Checklist
	Severity  Severity
	Title     string
	Why       string
	// Fix says how to fix a violation for each input kind, naming the exact
	// flag or field. The rule applies to these kinds only.
	Fix map[workload.Kind]string
	// Equivalents names the same check in other tools: hadolint, dockle,
	// docker-bench (CIS Docker Benchmark section 5), Kubernetes Pod
	// Security Standards.
	Equivalents []string
	Check       func(w *workload.Workload, s Settings) []Violation
}

// fixFor is the rule's fix text for w: its FixKind's when the rule has
// one, else its Kind's.
func (r Rule) fixFor(w *workload.Workload) string {
	if fix, ok := r.Fix[w.FixKind]; ok && w.FixKind != "" {
		return fix
	}
	return r.Fix[w.Kind]
}

// AppliesTo reports whether the rule judges workloads of kind k.
func (r Rule) AppliesTo(k workload.Kind) bool {
	_, ok := r.Fix[k]
	return ok
}

// Finding is one violation of one rule by one workload.
type Finding struct {
	Rule      string    `json:"rule"`
	Checklist Checklist `json:"checklist"`
	Severity  Severity  `json:"severity"`
	Title     string    `json:"title"`
	File      string    `json:"file"`
	Line      int       `json:"line"`
	Resource  string    `json:"resource"`
	Message   string    `json:"message"`
	Fix       string    `json:"fix"`
	// Link is the rule's page in docs/RULES.md.
	Link string `json:"link"`
	// ResourceLine is where the resource starts, so a suppression comment
	// placed above a stage, service or container covers all of it.
	ResourceLine int `json:"-"`
}

// Evaluate runs every rule that applies to each workload and returns the
// findings in input order, then line, then rule ID.
func Evaluate(rules []Rule, ws []workload.Workload, s Settings) []Finding {
	var out []Finding
	for i := range ws {
		w := &ws[i]
		for _, r := range rules {
			if !r.AppliesTo(w.Kind) && (w.FixKind == "" || !r.AppliesTo(w.FixKind)) {
				continue
			}
			for _, v := range r.Check(w, s) {
				line := v.Line
				if line == 0 {
					line = w.Line
				}
				sev := r.Severity
				if v.Severity != nil {
					sev = *v.Severity
				}
				out = append(out, Finding{
					Rule: r.ID, Checklist: r.Checklist, Severity: sev, Title: r.Title,
					File: w.File, Line: line, Resource: w.Resource, Message: v.Message, Fix: r.fixFor(w),
					Link: RuleURL(r.ID), ResourceLine: w.Line,
				})
			}
		}
	}
	SortFindings(out)
	return out
}

// SortFindings orders findings by file, line, rule and resource.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if c := strings.Compare(a.Rule, b.Rule); c != 0 {
			return c
		}
		return strings.Compare(a.Resource, b.Resource)
	})
}
