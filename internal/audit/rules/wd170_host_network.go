package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// HostNetworkNamespace fires when the container uses the host's network stack.
var HostNetworkNamespace = audit.Rule{
	ID:        "WD170",
	Checklist: audit.HostNetwork,
	Severity:  audit.High,
	Title:     "Host network namespace shared",
	Why:       "On the host's network the container can bind any host port, reach services listening on localhost, and sniff host traffic with NET_RAW.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove `network_mode: host`; publish the ports needed with `ports:`.",
		workload.KindKubernetes: "Remove `hostNetwork: true`; expose the pod through a Service.",
		workload.KindOCI:        "Add `{\"type\": \"network\"}` to `linux.namespaces`.",
		workload.KindInspect:    "Run without `--network host`; publish ports with `-p 127.0.0.1:PORT:PORT`.",
	},
	Equivalents: []string{"docker-bench 5.9", "PSS baseline: Host Namespaces"},
	Check: sharedNamespace(func(w *workload.Workload) bool { return w.HostNetwork }, workload.FieldHostNetwork,
		"shares the host's network namespace"),
}
