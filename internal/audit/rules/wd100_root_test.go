package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestRunsAsRoot(t *testing.T) {
	user := func(k workload.Kind, u workload.User) workload.Workload {
		w := hardened(k)
		w.User = u
		return w
	}
	runCases(t, RunsAsRoot, audit.Settings{}, []ruleCase{
		{"dockerfile without USER", user(workload.KindDockerfile, workload.User{BaseDecides: true}), 1},
		{"dockerfile USER root", user(workload.KindDockerfile, workload.User{Name: "root"}), 1},
		{"dockerfile USER 0:0", user(workload.KindDockerfile, workload.User{Name: "0:0"}), 1},
		{"dockerfile USER app", user(workload.KindDockerfile, workload.User{Name: "app"}), 0},
		{"kubernetes runAsNonRoot", user(workload.KindKubernetes, workload.User{BaseDecides: true, NonRootEnforced: true}), 0},
		{"kubernetes nothing set", user(workload.KindKubernetes, workload.User{BaseDecides: true}), 1},
		{"compose user 1000", user(workload.KindCompose, workload.User{Name: "1000:1000"}), 0},
		{"inspect empty user", user(workload.KindInspect, workload.User{}), 1},
	})
}
