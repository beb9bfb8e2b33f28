package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SeccompUnset fires on Kubernetes containers with no seccomp profile: the
// kubelet then runs them Unconfined, unlike Docker which applies its default.
var SeccompUnset = audit.Rule{
	ID:        "WD181",
	Checklist: audit.Seccomp,
	Severity:  audit.Medium,
	Title:     "No seccomp profile (runs unconfined)",
	Why:       "Kubernetes does not apply the runtime's default seccomp profile unless asked: a pod without seccompProfile runs with every system call allowed.",
	Fix: map[workload.Kind]string{
		workload.KindKubernetes: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or each container).",
	},
	Equivalents: []string{"PSS restricted: Seccomp"},
	Check:       checkSeccompUnset,
}

func checkSeccompUnset(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.Seccomp != workload.SeccompAbsent {
		return nil
	}
	return []audit.Violation{{Message: "no seccompProfile on the container or its pod: the kubelet runs it unconfined", Line: w.LineOf(workload.FieldSeccomp)}}
}
