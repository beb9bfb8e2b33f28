package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestHostPIDNamespace(t *testing.T) {
	runCases(t, HostPIDNamespace, audit.Settings{}, []ruleCase{
		{"pid host", sharing(workload.KindCompose, pidHost), 1},
		{"hostPID", sharing(workload.KindKubernetes, pidHost), 1},
		{"ipc host is not pid", sharing(workload.KindCompose, ipcHost), 0},
	})
}
