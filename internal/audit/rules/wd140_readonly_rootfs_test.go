package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestWritableRootfs(t *testing.T) {
	writable := func(k workload.Kind) workload.Workload {
		w := hardened(k)
		w.ReadOnlyRootfs = false
		return w
	}
	runCases(t, WritableRootfs, audit.Settings{}, []ruleCase{
		{"compose without read_only", writable(workload.KindCompose), 1},
		{"kubernetes without readOnlyRootFilesystem", writable(workload.KindKubernetes), 1},
		{"read-only", hardened(workload.KindOCI), 0},
		{"not judged on a Dockerfile", writable(workload.KindDockerfile), 0},
	})
}
