package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestUntrustedRegistry(t *testing.T) {
	img := func(ref string) workload.Workload {
		w := hardened(workload.KindKubernetes)
		w.Image = ref
		return w
	}
	s := audit.Settings{TrustedRegistries: []string{"registry.example.com", "ghcr.io/org"}}
	runCases(t, UntrustedRegistry, s, []ruleCase{
		{"docker hub", img("nginx:1.27"), 1},
		{"trusted registry", img("registry.example.com/app:1"), 0},
		{"trusted org", img("ghcr.io/org/app:1"), 0},
		{"prefix is not a path boundary", img("ghcr.io/organ/app:1"), 1},
	})
	runCases(t, UntrustedRegistry, audit.Settings{}, []ruleCase{
		{"nothing configured", img("nginx:1.27"), 0},
	})
}
