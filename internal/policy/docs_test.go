package policy

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/audit/rules"
	"github.com/wardproject/ward/internal/workload"
)

var update = flag.Bool("update", false, "rewrite docs/RULES.md from the rule table")

const rulesDoc = "../../docs/RULES.md"

// rulesMarkdown renders the rule table and each rule's why and fixes. The
// document is generated so it cannot drift from the code.
func rulesMarkdown() string {
	var b strings.Builder
	b.WriteString("# ward check rules\n\n")
	b.WriteString("<!-- Generated from internal/audit/rules by `go test ./internal/policy -run TestRulesDoc -update`; do not edit by hand. -->\n\n")
	b.WriteString("Every finding names its rule ID (stable) and its checklist item (stable). A rule judges only the input kinds it has a fix for. ")
	b.WriteString("The last two columns say which `ward run --policy` profile refuses a workload that violates the rule; `default` refuses nothing.\n\n")
	b.WriteString("| ID | Checklist | Severity | Title | Inputs | Equivalents | baseline | restricted |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	base, _ := Lookup("baseline")
	restr, _ := Lookup("restricted")
	mark := func(p Profile, id string) string {
		if slices.Contains(p.Rules, id) {
			return "yes"
		}
		return ""
	}
	for _, r := range rules.All() {
		var kinds []string
		for _, k := range workload.Kinds {
			if r.AppliesTo(k) {
				kinds = append(kinds, string(k))
			}
		}
		eq := strings.Join(r.Equivalents, "; ")
		if eq == "" {
			eq = "none"
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s | %s | %s | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Checklist, r.Severity, r.Title,
			strings.Join(kinds, ", "), eq, mark(base, r.ID), mark(restr, r.ID))
	}
	b.WriteString("\nInput kinds: `dockerfile` (Dockerfile/Containerfile, final stage), `compose`, `kubernetes` (every container of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), `oci` (a bundle's config.json), `inspect` (`docker inspect` / `ward inspect` output, whose fixes are `run` flags; also `ward check --container NAME` and `--running`), `image` (an image in ward's store by reference, or a docker-save / OCI archive: its config's USER, ENV and HEALTHCHECK, and what its layers hold).\n")
	b.WriteString("\nWD260 (`image-scan`) reports one finding per vulnerability severity present, each with that severity (an advisory of unknown severity counts as low); with no vulnerability database loaded ward check says so once and reports none.\n")
	for _, r := range rules.All() {
		fmt.Fprintf(&b, "\n## %s\n\n**%s** — checklist `%s`, severity %s.\n\n%s\n\n", r.ID, r.Title, r.Checklist, r.Severity, r.Why)
		for _, k := range workload.Kinds {
			if fix, ok := r.Fix[k]; ok {
				fmt.Fprintf(&b, "- %s: %s\n", k, fix)
			}
		}
		if len(r.Equivalents) > 0 {
			fmt.Fprintf(&b, "\nEquivalent checks: %s.\n", strings.Join(r.Equivalents, ", "))
		}
	}
	b.WriteString("\n## Profiles\n\n")
	for _, p := range Profiles {
		ids := strings.Join(p.Rules, ", ")
		if ids == "" {
			ids = "no rules"
		}
		fmt.Fprintf(&b, "- `%s`: %s (%s).\n", p.Name, p.Description, ids)
	}
	b.WriteString("\n`--fail-on-vuln SEVERITY` (on `ward run`, `ward create` and `ward check`, or `fail-on-vuln` in ward's config file) adds " + VulnRule + " to any profile: ")
	b.WriteString("images with known vulnerabilities at or above SEVERITY are refused. Without a vulnerability database the gate cannot be checked and `ward run` refuses. ")
	b.WriteString("Without `--policy`, `ward run` uses the `policy` named in ward's config file ($WARD_CONFIG, default /etc/ward/config.json), else `default`.\n")
	return b.String()
}

func TestRulesDoc(t *testing.T) {
	want := rulesMarkdown()
	if *update {
		if err := os.WriteFile(rulesDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(rulesDoc)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/policy -run TestRulesDoc -update)", err)
	}
	if string(got) != want {
		t.Errorf("%s is out of date: run go test ./internal/policy -run TestRulesDoc -update", rulesDoc)
	}
}
