package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// HostPIDNamespace fires when the container shares the host's PID namespace.
var HostPIDNamespace = audit.Rule{
	ID:        "WD160",
	Checklist: audit.HostNamespaces,
	Severity:  audit.High,
	Title:     "Host PID namespace shared",
	Why:       "In the host's PID namespace the container sees every process on the host, their command lines and environments, and as root can signal or ptrace them.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove `pid: host`.",
		workload.KindKubernetes: "Remove `hostPID: true` from the pod spec.",
		workload.KindOCI:        "Add `{\"type\": \"pid\"}` to `linux.namespaces`.",
		workload.KindInspect:    "Run without `--pid host`.",
	},
	Equivalents: []string{"docker-bench 5.15", "PSS baseline: Host Namespaces"},
	Check: sharedNamespace(func(w *workload.Workload) bool { return w.HostPID }, workload.FieldHostPID,
		"shares the host's PID namespace"),
}
