package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestSensitiveHostPathMounted(t *testing.T) {
	runCases(t, SensitiveHostPathMounted, audit.Settings{}, []ruleCase{
		{"root", mounting(workload.KindInspect, bind("/")), 1},
		{"etc subtree", mounting(workload.KindKubernetes, bind("/etc/kubernetes")), 1},
		{"proc with trailing slash", mounting(workload.KindCompose, bind("/proc/")), 1},
		{"usr exactly", mounting(workload.KindOCI, bind("/usr")), 1},
		{"usr subpath is a plain host path", mounting(workload.KindOCI, bind("/usr/share/data")), 0},
		{"engine's resolv.conf in a bundle", mounting(workload.KindOCI, workload.Mount{Type: "bind", Source: "/etc/resolv.conf", Destination: "/etc/resolv.conf", ReadOnly: true}), 0},
		{"resolv.conf in a manifest", mounting(workload.KindKubernetes, workload.Mount{Type: "bind", Source: "/etc/resolv.conf", Destination: "/etc/resolv.conf", ReadOnly: true}), 1},
		{"etcd data lookalike", mounting(workload.KindCompose, bind("/etcd")), 0},
	})
}
