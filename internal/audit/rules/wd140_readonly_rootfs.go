package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// WritableRootfs fires when the container can write its root filesystem.
var WritableRootfs = audit.Rule{
	ID:        "WD140",
	Checklist: audit.ReadOnlyRootfs,
	Severity:  audit.Low,
	Title:     "Root filesystem is writable",
	Why:       "A writable root lets an intruder drop tools, alter binaries and persist across restarts of the process; a read-only root with tmpfs or volumes for the paths that must change keeps the image as built.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Set `read_only: true` and mount `tmpfs:` or volumes for the paths the service writes.",
		workload.KindKubernetes: "Set `securityContext.readOnlyRootFilesystem: true` and mount emptyDir volumes for writable paths.",
		workload.KindOCI:        "Set `root.readonly: true`.",
		workload.KindInspect:    "Run with `--read-only` (plus `--tmpfs /tmp` or volumes where it writes).",
	},
	Equivalents: []string{"docker-bench 5.12"},
	Check:       checkWritableRootfs,
}

func checkWritableRootfs(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.ReadOnlyRootfs {
		return nil
	}
	return []audit.Violation{{Message: "the root filesystem is writable", Line: w.LineOf(workload.FieldReadOnly)}}
}
