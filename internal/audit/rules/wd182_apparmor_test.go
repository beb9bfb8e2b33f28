package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestAppArmorDisabled(t *testing.T) {
	with := func(k workload.Kind, profile string, privileged bool) workload.Workload {
		w := hardened(k)
		w.AppArmor, w.Privileged = profile, privileged
		return w
	}
	runCases(t, AppArmorDisabled, audit.Settings{}, []ruleCase{
		{"unconfined", with(workload.KindCompose, "unconfined", false), 1},
		{"kubernetes unconfined", with(workload.KindKubernetes, "unconfined", false), 1},
		{"custom profile", with(workload.KindInspect, "custom", false), 0},
		{"default", with(workload.KindOCI, "", false), 0},
		{"privileged is WD120's", with(workload.KindCompose, "unconfined", true), 0},
	})
}
