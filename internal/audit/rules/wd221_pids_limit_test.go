package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestNoPidsLimit(t *testing.T) {
	unlimited := func(k workload.Kind) workload.Workload {
		w := hardened(k)
		w.PidsLimit = 0
		return w
	}
	runCases(t, NoPidsLimit, audit.Settings{}, []ruleCase{
		{"compose", unlimited(workload.KindCompose), 1},
		{"oci", unlimited(workload.KindOCI), 1},
		{"limited", hardened(workload.KindInspect), 0},
		{"not judged on kubernetes", unlimited(workload.KindKubernetes), 0},
	})
}
