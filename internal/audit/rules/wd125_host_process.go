package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// HostProcessContainer fires on Windows HostProcess containers, which run
// directly on the host: the Windows equivalent of privileged.
var HostProcessContainer = audit.Rule{
	ID:        "WD125",
	Checklist: audit.Privileged,
	Severity:  audit.Critical,
	Title:     "Windows HostProcess container",
	Why:       "A HostProcess container is a process on the Windows host with the host's network and filesystem: no isolation at all.",
	Fix: map[workload.Kind]string{
		workload.KindKubernetes: "Remove `securityContext.windowsOptions.hostProcess: true`.",
	},
	Equivalents: []string{"PSS baseline: HostProcess"},
	Check: func(w *workload.Workload, _ audit.Settings) []audit.Violation {
		if !w.HostProcess {
			return nil
		}
		return []audit.Violation{{Message: "runs as a Windows HostProcess container", Line: w.LineOf(workload.FieldHostProcess)}}
	},
}
