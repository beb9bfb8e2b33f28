package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestSELinuxWeakened(t *testing.T) {
	with := func(k workload.Kind, label string) workload.Workload {
		w := hardened(k)
		w.SELinux = label
		return w
	}
	runCases(t, SELinuxWeakened, audit.Settings{}, []ruleCase{
		{"disabled", with(workload.KindCompose, "disabled"), 1},
		{"spc_t", with(workload.KindKubernetes, "type=spc_t"), 1},
		{"default", with(workload.KindInspect, ""), 0},
	})
}
