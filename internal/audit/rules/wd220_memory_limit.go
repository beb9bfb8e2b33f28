package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// NoMemoryLimit fires when the container may use all of the host's memory.
var NoMemoryLimit = audit.Rule{
	ID:        "WD220",
	Checklist: audit.Resources,
	Severity:  audit.Medium,
	Title:     "No memory limit",
	Why:       "Without a limit one leaking or attacked container drives the host into the OOM killer, which may pick other containers or the runtime itself.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Set `mem_limit: 512m` (or `deploy.resources.limits.memory`).",
		workload.KindKubernetes: "Set `resources.limits.memory` on the container.",
		workload.KindOCI:        "Set `linux.resources.memory.limit` (bytes).",
		workload.KindInspect:    "Run with `--memory 512m`.",
	},
	Equivalents: []string{"docker-bench 5.10"},
	Check:       checkNoMemoryLimit,
}

func checkNoMemoryLimit(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.MemoryLimit > 0 {
		return nil
	}
	return []audit.Violation{{Message: "no memory limit", Line: w.LineOf(workload.FieldResources)}}
}
