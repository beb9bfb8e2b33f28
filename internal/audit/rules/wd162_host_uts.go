package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// HostUTSNamespace fires when the container shares the host's UTS namespace.
// Kubernetes has no such field (hostNetwork implies it), so the rule does not
// judge manifests.
var HostUTSNamespace = audit.Rule{
	ID:        "WD162",
	Checklist: audit.HostNamespaces,
	Severity:  audit.Medium,
	Title:     "Host UTS namespace shared",
	Why:       "Sharing the UTS namespace lets a root process in the container change the host's hostname and domain name.",
	Fix: map[workload.Kind]string{
		workload.KindCompose: "Remove `uts: host`.",
		workload.KindOCI:     "Add `{\"type\": \"uts\"}` to `linux.namespaces`.",
		workload.KindInspect: "Run without `--uts host`.",
	},
	Equivalents: []string{"docker-bench 5.20"},
	Check: sharedNamespace(func(w *workload.Workload) bool { return w.HostUTS }, workload.FieldHostUTS,
		"shares the host's UTS namespace"),
}
