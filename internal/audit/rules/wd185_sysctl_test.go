package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestUnsafeSysctl(t *testing.T) {
	with := func(k workload.Kind, ss ...workload.Sysctl) workload.Workload {
		w := hardened(k)
		w.Sysctls = ss
		return w
	}
	runCases(t, UnsafeSysctl, audit.Settings{}, []ruleCase{
		{"somaxconn", with(workload.KindCompose, workload.Sysctl{Name: "net.core.somaxconn", Value: "1024"}), 1},
		{"kernel.msgmax", with(workload.KindKubernetes, workload.Sysctl{Name: "kernel.msgmax", Value: "65536"}), 1},
		{"safe, slash spelling", with(workload.KindInspect, workload.Sysctl{Name: "net/ipv4/ip_unprivileged_port_start", Value: "0"}), 0},
		{"none", hardened(workload.KindOCI), 0},
	})
}
