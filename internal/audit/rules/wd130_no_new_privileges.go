package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// NoNewPrivilegesUnset fires when a process in the container can gain
// privileges through setuid binaries or file capabilities.
var NoNewPrivilegesUnset = audit.Rule{
	ID:        "WD130",
	Checklist: audit.NoNewPrivileges,
	Severity:  audit.Medium,
	Title:     "Privilege escalation not prevented",
	Why:       "Without no_new_privs, a setuid binary (su, sudo, ping on old images) or a file capability in the image can raise a non-root process back to root or to capabilities it was not given.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Add `security_opt: [\"no-new-privileges:true\"]` to the service.",
		workload.KindKubernetes: "Set `securityContext.allowPrivilegeEscalation: false` on the container.",
		workload.KindOCI:        "Set `process.noNewPrivileges: true`.",
		workload.KindInspect:    "Run with `--security-opt no-new-privileges`.",
	},
	Equivalents: []string{"docker-bench 5.25", "PSS restricted: Privilege Escalation"},
	Check:       checkNoNewPrivileges,
}

func checkNoNewPrivileges(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.NoNewPrivileges {
		return nil
	}
	msg := "no-new-privileges is not set: setuid binaries and file capabilities can raise privileges"
	if w.Kind == workload.KindKubernetes {
		msg = "allowPrivilegeEscalation is not false (it defaults to true)"
	}
	return []audit.Violation{{Message: msg, Line: w.LineOf(workload.FieldNoNewPrivs)}}
}
