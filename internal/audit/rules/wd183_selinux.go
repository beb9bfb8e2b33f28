package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SELinuxWeakened fires when SELinux labelling is disabled, or set to a
// type, user or role other than the container ones.
var SELinuxWeakened = audit.Rule{
	ID:        "WD183",
	Checklist: audit.Isolation,
	Severity:  audit.Medium,
	Title:     "SELinux separation disabled or overridden",
	Why:       "On SELinux hosts the container_t type and per-container categories keep containers from each other's and the host's files; label=disable or a custom type (spc_t, unconfined_t) removes that.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove `label:disable` (or the custom `label:type:`/`user:`/`role:`) from `security_opt`.",
		workload.KindKubernetes: "Remove `seLinuxOptions.type`/`user`/`role`, or use `container_t`, `container_init_t` or `container_kvm_t`.",
		workload.KindInspect:    "Run without `--security-opt label=disable` or a custom label type.",
	},
	Equivalents: []string{"docker-bench 5.2", "PSS baseline: SELinux"},
	Check: weakened(func(w *workload.Workload) string {
		switch w.SELinux {
		case "":
			return ""
		case "disabled":
			return "SELinux labelling is disabled"
		}
		return "SELinux is set to " + w.SELinux
	}, workload.FieldSELinux),
}
