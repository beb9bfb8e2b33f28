package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestCapabilityAdded(t *testing.T) {
	with := func(k workload.Kind, add []string) workload.Workload {
		w := hardened(k)
		w.Capabilities, w.CapAdd, w.DropAll = workload.EffectiveCapabilities(add, nil)
		return w
	}
	runCases(t, CapabilityAdded, audit.Settings{}, []ruleCase{
		{"SYS_ADMIN", with(workload.KindCompose, []string{"SYS_ADMIN"}), 1},
		{"cap_ prefix lower case", with(workload.KindKubernetes, []string{"cap_sys_ptrace"}), 1},
		{"NET_RAW explicitly added", with(workload.KindInspect, []string{"NET_RAW"}), 1},
		{"ALL", with(workload.KindCompose, []string{"ALL"}), 1},
		{"CHOWN is in the baseline set", with(workload.KindCompose, []string{"CHOWN"}), 0},
		{"defaults are not additions", with(workload.KindInspect, nil), 0},
	})
}
