package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestFullDistributionBase(t *testing.T) {
	base := func(b string) workload.Workload {
		w := hardened(workload.KindDockerfile)
		w.Build = &workload.Build{FinalBase: b, FinalBaseLine: 3}
		return w
	}
	runCases(t, FullDistributionBase, audit.Settings{}, []ruleCase{
		{"ubuntu", base("ubuntu:24.04"), 1},
		{"python full", base("python:3.12"), 1},
		{"python slim", base("python:3.12-slim"), 0},
		{"node alpine", base("node:22-alpine"), 0},
		{"distroless", base("gcr.io/distroless/base-debian12"), 0},
		{"ubi minimal", base("registry.access.redhat.com/ubi9/ubi-minimal:9.4"), 0},
		{"scratch", base(""), 0},
		{"own base unknown", base("registry.example.com/platform/base:1"), 0},
	})
}
