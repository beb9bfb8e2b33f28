package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestNoMemoryLimit(t *testing.T) {
	unlimited := func(k workload.Kind) workload.Workload {
		w := hardened(k)
		w.MemoryLimit = 0
		return w
	}
	runCases(t, NoMemoryLimit, audit.Settings{}, []ruleCase{
		{"compose", unlimited(workload.KindCompose), 1},
		{"kubernetes", unlimited(workload.KindKubernetes), 1},
		{"limited", hardened(workload.KindInspect), 0},
		{"not judged on a Dockerfile", unlimited(workload.KindDockerfile), 0},
	})
}
