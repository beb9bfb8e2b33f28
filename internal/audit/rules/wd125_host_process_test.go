package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestHostProcessContainer(t *testing.T) {
	hp := hardened(workload.KindKubernetes)
	hp.HostProcess = true
	runCases(t, HostProcessContainer, audit.Settings{}, []ruleCase{
		{"hostProcess", hp, 1},
		{"linux pod", hardened(workload.KindKubernetes), 0},
	})
}
