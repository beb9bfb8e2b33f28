package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// NoPidsLimit fires when the container may fork without bound. Kubernetes
// sets pid limits per node or pod in the kubelet, not in manifests, so the
// rule does not judge them.
var NoPidsLimit = audit.Rule{
	ID:        "WD221",
	Checklist: audit.Resources,
	Severity:  audit.Low,
	Title:     "No PIDs limit",
	Why:       "A fork bomb or a thread leak in one container exhausts the host's PID space and stops every other process from starting.",
	Fix: map[workload.Kind]string{
		workload.KindCompose: "Set `pids_limit: 200` (or `deploy.resources.limits.pids`).",
		workload.KindOCI:     "Set `linux.resources.pids.limit`.",
		workload.KindInspect: "Run with `--pids-limit 200`.",
	},
	Equivalents: []string{"docker-bench 5.28"},
	Check:       checkNoPidsLimit,
}

func checkNoPidsLimit(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.PidsLimit > 0 {
		return nil
	}
	return []audit.Violation{{Message: "no PIDs limit", Line: w.LineOf(workload.FieldResources)}}
}
