package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestHostIPCNamespace(t *testing.T) {
	runCases(t, HostIPCNamespace, audit.Settings{}, []ruleCase{
		{"hostIPC", sharing(workload.KindKubernetes, ipcHost), 1},
		{"own ipc", hardened(workload.KindKubernetes), 0},
	})
}
