package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestNoHealthcheck(t *testing.T) {
	without := func(k workload.Kind) workload.Workload {
		w := hardened(k)
		w.Healthcheck = false
		return w
	}
	runCases(t, NoHealthcheck, audit.Settings{}, []ruleCase{
		{"dockerfile", without(workload.KindDockerfile), 1},
		{"inspect", without(workload.KindInspect), 1},
		{"defined", hardened(workload.KindDockerfile), 0},
		{"not judged on compose (the image may define one)", without(workload.KindCompose), 0},
	})
}
