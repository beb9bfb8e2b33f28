package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestHostUTSNamespace(t *testing.T) {
	runCases(t, HostUTSNamespace, audit.Settings{}, []ruleCase{
		{"uts host", sharing(workload.KindInspect, utsHost), 1},
		{"kubernetes has no hostUTS", sharing(workload.KindKubernetes, utsHost), 0},
	})
}
