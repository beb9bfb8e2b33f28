package rules

import (
	"fmt"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// CapabilityAdded fires when a capability outside the Pod Security baseline
// list is added: SYS_ADMIN, NET_ADMIN, SYS_PTRACE, NET_RAW, ALL and the like.
var CapabilityAdded = audit.Rule{
	ID:        "WD111",
	Checklist: audit.Capabilities,
	Severity:  audit.High,
	Title:     "Dangerous capability added",
	Why:       "Capabilities such as SYS_ADMIN, SYS_PTRACE, SYS_MODULE or NET_ADMIN each undo a large part of the container boundary; SYS_ADMIN alone is close to privileged.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove the capability from `cap_add`; if the service truly needs it, grant the narrowest one and document why.",
		workload.KindKubernetes: "Remove it from `securityContext.capabilities.add`; the baseline profile allows only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT.",
		workload.KindOCI:        "Remove it from `process.capabilities.bounding` (and effective, permitted, inheritable, ambient).",
		workload.KindInspect:    "Run without `--cap-add` for it.",
	},
	Equivalents: []string{"docker-bench 5.3", "PSS baseline: Capabilities"},
	Check:       checkCapabilityAdded,
}

func checkCapabilityAdded(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.Privileged {
		return nil
	}
	bad := beyond(w.CapAdd, baselineCapabilities)
	if len(bad) == 0 {
		return nil
	}
	return []audit.Violation{{Message: fmt.Sprintf("adds %s, beyond the baseline set", join(bad)), Line: w.LineOf(workload.FieldCapAdd)}}
}
