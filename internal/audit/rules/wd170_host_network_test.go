package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestHostNetworkNamespace(t *testing.T) {
	runCases(t, HostNetworkNamespace, audit.Settings{}, []ruleCase{
		{"network host", sharing(workload.KindOCI, netHost), 1},
		{"hostNetwork", sharing(workload.KindKubernetes, netHost), 1},
		{"own network", hardened(workload.KindOCI), 0},
	})
}
