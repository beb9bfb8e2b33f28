package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestSeccompUnset(t *testing.T) {
	with := func(k workload.Kind, s string) workload.Workload {
		w := hardened(k)
		w.Seccomp = s
		return w
	}
	runCases(t, SeccompUnset, audit.Settings{}, []ruleCase{
		{"kubernetes without profile", with(workload.KindKubernetes, workload.SeccompAbsent), 1},
		{"kubernetes RuntimeDefault", with(workload.KindKubernetes, workload.SeccompDefault), 0},
		{"kubernetes Unconfined is WD180's", with(workload.KindKubernetes, workload.SeccompUnconfined), 0},
		{"compose default applies", with(workload.KindCompose, workload.SeccompDefault), 0},
	})
}
