package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestCapabilitiesNotDropped(t *testing.T) {
	with := func(add, drop []string) workload.Workload {
		w := hardened(workload.KindCompose)
		w.Capabilities, w.CapAdd, w.DropAll = workload.EffectiveCapabilities(add, drop)
		return w
	}
	privileged := with(nil, nil)
	privileged.Privileged = true
	runCases(t, CapabilitiesNotDropped, audit.Settings{}, []ruleCase{
		{"docker defaults keep NET_RAW", with(nil, nil), 1},
		{"only NET_RAW dropped", with(nil, []string{"NET_RAW"}), 1},
		{"drop ALL", with(nil, []string{"ALL"}), 0},
		{"drop ALL add NET_BIND_SERVICE", with([]string{"NET_BIND_SERVICE"}, []string{"ALL"}), 0},
		{"drop ALL add CHOWN", with([]string{"CHOWN"}, []string{"ALL"}), 1},
		{"privileged is WD120's", privileged, 0},
		{"drop ALL add SYS_ADMIN is WD111's", with([]string{"SYS_ADMIN"}, []string{"ALL"}), 0},
		{"defaults kept and SYS_ADMIN added", with([]string{"SYS_ADMIN"}, nil), 1},
		{"not judged on a Dockerfile", defaults(workload.KindDockerfile), 0},
	})
}
