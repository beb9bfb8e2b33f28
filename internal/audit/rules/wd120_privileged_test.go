package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestPrivileged(t *testing.T) {
	priv := func(k workload.Kind) workload.Workload {
		w := hardened(k)
		w.Privileged = true
		return w
	}
	runCases(t, PrivilegedContainer, audit.Settings{}, []ruleCase{
		{"compose privileged", priv(workload.KindCompose), 1},
		{"kubernetes privileged", priv(workload.KindKubernetes), 1},
		{"oci privileged-looking", priv(workload.KindOCI), 1},
		{"not privileged", hardened(workload.KindInspect), 0},
	})
}
