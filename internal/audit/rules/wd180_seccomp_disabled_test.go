package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestSeccompDisabled(t *testing.T) {
	with := func(k workload.Kind, s string) workload.Workload {
		w := hardened(k)
		w.Seccomp = s
		return w
	}
	privileged := with(workload.KindCompose, workload.SeccompUnconfined)
	privileged.Privileged = true
	runCases(t, SeccompDisabled, audit.Settings{}, []ruleCase{
		{"compose unconfined", with(workload.KindCompose, workload.SeccompUnconfined), 1},
		{"oci without seccomp", with(workload.KindOCI, workload.SeccompUnconfined), 1},
		{"kubernetes absent is WD181's", with(workload.KindKubernetes, workload.SeccompAbsent), 0},
		{"custom profile", with(workload.KindInspect, workload.SeccompCustom), 0},
		{"privileged is WD120's", privileged, 0},
	})
}
