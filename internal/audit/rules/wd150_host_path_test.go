package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// mounting returns a hardened workload of kind k with the given mounts.
func mounting(k workload.Kind, ms ...workload.Mount) workload.Workload {
	w := hardened(k)
	w.Mounts = ms
	return w
}

func bind(src string) workload.Mount {
	return workload.Mount{Type: "bind", Source: src, Destination: "/mnt"}
}

func TestHostPathMounted(t *testing.T) {
	runCases(t, HostPathMounted, audit.Settings{}, []ruleCase{
		{"data directory", mounting(workload.KindCompose, bind("/srv/data")), 1},
		{"relative compose path", mounting(workload.KindCompose, bind("./config")), 1},
		{"two binds", mounting(workload.KindKubernetes, bind("/srv/a"), bind("/srv/b")), 2},
		{"named volume", mounting(workload.KindCompose, workload.Mount{Type: "volume", Source: "data", Destination: "/data"}), 0},
		{"sensitive path is WD151's", mounting(workload.KindCompose, bind("/etc")), 0},
		{"socket is WD152's", mounting(workload.KindCompose, bind("/var/run/docker.sock")), 0},
	})
}
