package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// ruleCase is one workload and how many violations a rule must report on it.
type ruleCase struct {
	name string
	w    workload.Workload
	want int
}

func runCases(t *testing.T, r audit.Rule, s audit.Settings, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !r.AppliesTo(tc.w.Kind) {
				if tc.want != 0 {
					t.Fatalf("%s does not apply to %s but the case expects %d violations", r.ID, tc.w.Kind, tc.want)
				}
				return
			}
			got := r.Check(&tc.w, s)
			if len(got) != tc.want {
				t.Fatalf("%s: got %d violations %+v, want %d", r.ID, len(got), got, tc.want)
			}
			for _, v := range got {
				if v.Message == "" {
					t.Errorf("%s: violation without a message", r.ID)
				}
			}
		})
	}
}

// defaults is a runtime workload with Docker's defaults for kind k.
func defaults(k workload.Kind) workload.Workload {
	caps, _, _ := workload.EffectiveCapabilities(nil, nil)
	return workload.Workload{Kind: k, File: "f", Line: 1, Resource: "r", Capabilities: caps, Seccomp: workload.SeccompDefault}
}

// hardened is a runtime workload that passes every runtime rule.
func hardened(k workload.Kind) workload.Workload {
	caps, add, dropAll := workload.EffectiveCapabilities([]string{"NET_BIND_SERVICE"}, []string{"ALL"})
	return workload.Workload{
		Kind: k, File: "f", Line: 1, Resource: "r", Image: "registry.example.com/app:1.2.3",
		User: workload.User{Name: "10001"}, Capabilities: caps, CapAdd: add, DropAll: dropAll,
		NoNewPrivileges: true, ReadOnlyRootfs: true, Seccomp: workload.SeccompDefault,
		MemoryLimit: 256 << 20, PidsLimit: 100, Healthcheck: true,
	}
}

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			if seen[r.ID] {
				t.Fatalf("duplicate rule ID %s", r.ID)
			}
			seen[r.ID] = true
			if r.Title == "" || r.Why == "" || r.Checklist == "" || r.Check == nil || len(r.Fix) == 0 {
				t.Errorf("rule %s is incomplete: %+v", r.ID, r)
			}
			for k, fix := range r.Fix {
				if fix == "" {
					t.Errorf("rule %s: empty fix for %s", r.ID, k)
				}
			}
			if _, ok := ByID(r.ID); !ok {
				t.Errorf("ByID(%s) not found", r.ID)
			}
		})
	}
}

// A hardened workload passes every rule that applies to it: no rule fires on
// a configuration that follows the checklist.
func TestHardenedPassesAll(t *testing.T) {
	for _, k := range []workload.Kind{workload.KindCompose, workload.KindKubernetes, workload.KindOCI, workload.KindInspect} {
		w := hardened(k)
		if k == workload.KindKubernetes {
			w.User.NonRootEnforced = true
		}
		for _, f := range audit.Evaluate(All(), []workload.Workload{w}, audit.Settings{}) {
			t.Errorf("%s: %s fired on a hardened workload: %s", k, f.Rule, f.Message)
		}
	}
}
