package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestProcUnmasked(t *testing.T) {
	with := func(k workload.Kind, unmasked bool) workload.Workload {
		w := hardened(k)
		w.ProcUnmasked = unmasked
		return w
	}
	runCases(t, ProcUnmasked, audit.Settings{}, []ruleCase{
		{"kubernetes Unmasked", with(workload.KindKubernetes, true), 1},
		{"oci without masked paths", with(workload.KindOCI, true), 1},
		{"masked", with(workload.KindCompose, false), 0},
	})
}
