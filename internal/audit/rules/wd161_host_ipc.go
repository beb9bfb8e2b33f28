package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// HostIPCNamespace fires when the container shares the host's IPC namespace.
var HostIPCNamespace = audit.Rule{
	ID:        "WD161",
	Checklist: audit.HostNamespaces,
	Severity:  audit.High,
	Title:     "Host IPC namespace shared",
	Why:       "The host's IPC namespace exposes shared memory segments and message queues of host processes to the container.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove `ipc: host`.",
		workload.KindKubernetes: "Remove `hostIPC: true` from the pod spec.",
		workload.KindOCI:        "Add `{\"type\": \"ipc\"}` to `linux.namespaces`.",
		workload.KindInspect:    "Run without `--ipc host`.",
	},
	Equivalents: []string{"docker-bench 5.16", "PSS baseline: Host Namespaces"},
	Check: sharedNamespace(func(w *workload.Workload) bool { return w.HostIPC }, workload.FieldHostIPC,
		"shares the host's IPC namespace"),
}
