package policy

import (
	"slices"
	"testing"

	"github.com/wardproject/ward/internal/audit/rules"
	"github.com/wardproject/ward/internal/workload"
)

func TestProfilesNameRealRules(t *testing.T) {
	for _, p := range Profiles {
		t.Run(p.Name, func(t *testing.T) {
			for _, id := range p.Rules {
				if _, ok := rules.ByID(id); !ok {
					t.Errorf("profile %s names unknown rule %s", p.Name, id)
				}
			}
			if len(p.RuleSet()) != len(p.Rules) {
				t.Errorf("profile %s: %d rules resolved of %d", p.Name, len(p.RuleSet()), len(p.Rules))
			}
		})
	}
	base, _ := Lookup("baseline")
	restr, _ := Lookup("restricted")
	for _, id := range base.Rules {
		if !slices.Contains(restr.Rules, id) {
			t.Errorf("restricted lacks baseline rule %s", id)
		}
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("Lookup of an unknown profile succeeded")
	}
}

// docker is what `docker run IMAGE` gives: root, default capabilities, the
// default seccomp profile, a writable root.
func docker() workload.Workload {
	caps, _, _ := workload.EffectiveCapabilities(nil, nil)
	return workload.Workload{Kind: workload.KindInspect, File: "-", Resource: "container c", Image: "app:1",
		Capabilities: caps, Seccomp: workload.SeccompDefault}
}

func TestEvaluate(t *testing.T) {
	plain := docker()
	privileged := docker()
	privileged.Privileged = true
	sysAdmin := docker()
	sysAdmin.Capabilities, sysAdmin.CapAdd, _ = workload.EffectiveCapabilities([]string{"SYS_ADMIN"}, nil)
	hardened := docker()
	hardened.User.Name = "1000"
	hardened.Capabilities, hardened.CapAdd, hardened.DropAll = workload.EffectiveCapabilities([]string{"NET_BIND_SERVICE"}, []string{"ALL"})
	hardened.NoNewPrivileges, hardened.ReadOnlyRootfs = true, true

	cases := []struct {
		name    string
		profile string
		w       workload.Workload
		want    []string // violated rule IDs
	}{
		{"default refuses nothing", "default", privileged, nil},
		{"baseline lets docker defaults run", "baseline", plain, nil},
		{"baseline refuses privileged", "baseline", privileged, []string{"WD120"}},
		{"baseline refuses SYS_ADMIN", "baseline", sysAdmin, []string{"WD111"}},
		{"restricted refuses docker defaults", "restricted", plain, []string{"WD100", "WD110", "WD130", "WD140"}},
		{"restricted lets hardened run", "restricted", hardened, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Lookup(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range Evaluate(p, tc.w) {
				got = append(got, f.Rule)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("violations %v, want %v", got, tc.want)
			}
		})
	}
}
