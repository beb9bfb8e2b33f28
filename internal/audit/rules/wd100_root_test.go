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

// A spec's user is its uid as the host sees it: an alias of root is root,
// a uid mapped to a host uid other than 0 is not.
func TestRunsAsRootHostUID(t *testing.T) {
	zero, other := uint32(0), uint32(100000)
	for _, tc := range []struct {
		user  workload.User
		fires bool
	}{
		{workload.User{Name: "0", HostUID: &zero}, true},
		{workload.User{Name: "1000", HostUID: &zero}, true},
		{workload.User{Name: "0", HostUID: &other}, false},
		{workload.User{Name: "root", HostUID: &other}, false},
	} {
		w := workload.Workload{Kind: workload.KindOCI, User: tc.user}
		if got := len(checkRunsAsRoot(&w, audit.Settings{})) > 0; got != tc.fires {
			t.Errorf("user %s (host uid %d): fires %v, want %v", tc.user.Name, *tc.user.HostUID, got, tc.fires)
		}
	}
}
