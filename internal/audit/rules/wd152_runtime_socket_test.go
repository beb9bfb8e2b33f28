package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestRuntimeSocketMounted(t *testing.T) {
	ro := bind("/var/run/docker.sock")
	ro.ReadOnly = true
	runCases(t, RuntimeSocketMounted, audit.Settings{}, []ruleCase{
		{"docker.sock", mounting(workload.KindCompose, bind("/var/run/docker.sock")), 1},
		{"read-only docker.sock is no safer", mounting(workload.KindInspect, ro), 1},
		{"containerd socket", mounting(workload.KindKubernetes, bind("/run/containerd/containerd.sock")), 1},
		{"other socket", mounting(workload.KindKubernetes, bind("/run/app/app.sock")), 0},
	})
}
