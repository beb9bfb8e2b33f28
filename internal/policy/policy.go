// Package policy turns the checklist into run-time profiles. A profile is a
// set of rule IDs from the audit rule table, so `ward check --policy P` and
// `ward run --policy P` judge the same rules on the same workload model:
// what the audit reports is exactly what the engine refuses.
package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/rules"
	"github.com/wardproject/ward/internal/workload"
)

// Profile is a named set of rules a workload must pass.
type Profile struct {
	Name        string
	Description string
	Rules       []string // rule IDs from rules.All()
	// FailOnVuln, when set, also refuses images with known vulnerabilities
	// at or above it (WD260, image-scan): `--fail-on-vuln SEVERITY`.
	FailOnVuln *audit.Severity
	// AllowUncovered lets the gate pass an image whose scan had coverage
	// gaps (WD261): `--allow-uncovered`.
	AllowUncovered bool
}

// VulnRule is the image-scan rule a vulnerability gate adds to a profile.
const VulnRule = "WD260"

// CoverageRule is the rule that refuses what the gate could not see: an
// image whose scan has coverage gaps passes no vulnerability gate.
const CoverageRule = "WD261"

// WithFailOnVuln returns the profile refusing, besides its own rules,
// images with vulnerabilities at or above sev, and images whose scan is
// incomplete (coverage gaps).
func (p Profile) WithFailOnVuln(sev audit.Severity) Profile {
	p.Rules = append(slices.Clone(p.Rules), VulnRule, CoverageRule)
	p.FailOnVuln = &sev
	if p.Name == "default" {
		p.Description = "refuses nothing but vulnerable images"
	}
	return p
}

// WithAllowUncovered returns the profile accepting image scans with
// coverage gaps (the gaps are still reported by ward scan).
func (p Profile) WithAllowUncovered() Profile {
	p.AllowUncovered = true
	return p
}

// Settings are the rule settings the profile implies.
func (p Profile) Settings() audit.Settings {
	var s audit.Settings
	if p.FailOnVuln != nil {
		s.MinVulnSeverity = *p.FailOnVuln
	}
	s.AllowUncovered = p.AllowUncovered
	return s
}

// baselineRules follow the Kubernetes Pod Security baseline as it maps to
// run flags: no privileged, no host PID/IPC/network, no host paths, no
// capabilities added beyond the baseline list, seccomp not disabled.
var baselineRules = []string{
	"WD111",                   // capability added beyond the baseline list
	"WD120",                   // privileged
	"WD150", "WD151", "WD152", // host paths, sensitive ones, runtime sockets
	"WD160", "WD161", // host PID, IPC
	"WD170", // host network
	"WD180", // seccomp disabled
	// The rest of the Pod Security baseline, as --security-opt and
	// --sysctl express it.
	"WD182", // AppArmor unconfined
	"WD183", // SELinux disabled or overridden
	"WD184", // /proc and /sys unmasked
	"WD185", // sysctls outside the safe set
}

// restrictedRules add the checklist: non-root, drop ALL (only
// NET_BIND_SERVICE may come back), no-new-privileges, read-only root, and a
// seccomp profile where the platform would otherwise run unconfined.
var restrictedRules = append(slices.Clone(baselineRules),
	"WD100", // runs as root
	"WD110", // capabilities not dropped
	"WD130", // no-new-privileges
	"WD140", // writable root
	"WD181", // no seccomp profile (Kubernetes)
	"WD154", // volume types outside the restricted set (Kubernetes)
	"WD171", // egress allow-all: --egress, a network's policy or --network none
)

// Profiles lists every profile, from most to least permissive.
var Profiles = []Profile{
	{Name: "default", Description: "refuses nothing (Docker's behaviour)"},
	{Name: "baseline", Description: "Kubernetes Pod Security baseline: no privileged, host namespaces, host paths, added capabilities or disabled seccomp", Rules: baselineRules},
	{Name: "restricted", Description: "baseline plus non-root, drop ALL capabilities, no-new-privileges, a read-only root and an egress policy (--network none satisfies it)", Rules: restrictedRules},
}

// DefaultProfile is used when neither a flag nor ward's config names one.
const DefaultProfile = "default"

// Lookup finds a profile by name.
func Lookup(name string) (Profile, error) {
	for _, p := range Profiles {
		if p.Name == name {
			return p, nil
		}
	}
	names := make([]string, len(Profiles))
	for i, p := range Profiles {
		names[i] = p.Name
	}
	return Profile{}, fmt.Errorf("unknown policy %q (want %s)", name, strings.Join(names, ", "))
}

// RuleSet returns the profile's rules from the table, in table order.
func (p Profile) RuleSet() []audit.Rule {
	var out []audit.Rule
	for _, r := range rules.All() {
		if slices.Contains(p.Rules, r.ID) {
			out = append(out, r)
		}
	}
	return out
}

// Evaluate judges one workload against the profile and returns the
// violations: an empty result means the workload may run.
func Evaluate(p Profile, w workload.Workload) []audit.Finding {
	return audit.Evaluate(p.RuleSet(), []workload.Workload{w}, p.Settings())
}
