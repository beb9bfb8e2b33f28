package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestUnrestrictedEgress(t *testing.T) {
	with := func(k workload.Kind, egress string) workload.Workload {
		w := hardened(k)
		w.Network = workload.NetworkPolicy{Egress: egress, Detail: "d", Line: 3}
		return w
	}
	runCases(t, UnrestrictedEgress, audit.Settings{}, []ruleCase{
		{"docker default", with(workload.KindInspect, workload.EgressAllowAll), 1},
		{"ward allow-list", with(workload.KindInspect, workload.EgressRestricted), 0},
		{"no network", with(workload.KindInspect, workload.EgressNone), 0},
		{"compose default network", with(workload.KindCompose, workload.EgressAllowAll), 1},
		{"compose internal", with(workload.KindCompose, workload.EgressRestricted), 0},
		{"pod without policy", with(workload.KindKubernetes, workload.EgressAllowAll), 1},
		{"pod with policy", with(workload.KindKubernetes, workload.EgressRestricted), 0},
		{"unknown", with(workload.KindInspect, workload.EgressUnknown), 0},
		{"dockerfile", with(workload.KindDockerfile, workload.EgressAllowAll), 0},
		{"config.json on the host's network", with(workload.KindOCI, workload.EgressAllowAll), 1},
		{"config.json with a namespace of its own", with(workload.KindOCI, workload.EgressNone), 0},
		{"config.json joining a namespace", with(workload.KindOCI, workload.EgressUnknown), 0},
	})
}
