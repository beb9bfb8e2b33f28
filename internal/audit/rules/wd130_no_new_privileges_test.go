package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestNoNewPrivileges(t *testing.T) {
	unset := func(k workload.Kind) workload.Workload {
		w := hardened(k)
		w.NoNewPrivileges = false
		return w
	}
	runCases(t, NoNewPrivilegesUnset, audit.Settings{}, []ruleCase{
		{"compose without security_opt", unset(workload.KindCompose), 1},
		{"kubernetes allowPrivilegeEscalation unset", unset(workload.KindKubernetes), 1},
		{"oci noNewPrivileges false", unset(workload.KindOCI), 1},
		{"set", hardened(workload.KindInspect), 0},
	})
}
