package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestPortOnAllInterfaces(t *testing.T) {
	ports := func(k workload.Kind, ps ...workload.Port) workload.Workload {
		w := hardened(k)
		w.Ports = ps
		return w
	}
	runCases(t, PortOnAllInterfaces, audit.Settings{}, []ruleCase{
		{"no address", ports(workload.KindCompose, workload.Port{HostPort: "8080", ContainerPort: "80"}), 1},
		{"0.0.0.0", ports(workload.KindInspect, workload.Port{HostIP: "0.0.0.0", HostPort: "8080"}), 1},
		{"loopback", ports(workload.KindCompose, workload.Port{HostIP: "127.0.0.1", HostPort: "8080"}), 0},
		{"kubernetes hostPort", ports(workload.KindKubernetes, workload.Port{HostIP: "127.0.0.1", HostPort: "8080"}), 1},
		{"none", hardened(workload.KindCompose), 0},
	})
}
