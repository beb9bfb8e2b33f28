package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SeccompDisabled fires when seccomp filtering is explicitly turned off (or,
// for a bundle, when config.json has no seccomp section: no filter at all).
var SeccompDisabled = audit.Rule{
	ID:        "WD180",
	Checklist: audit.Seccomp,
	Severity:  audit.High,
	Title:     "Seccomp disabled",
	Why:       "The default seccomp profile blocks about 50 system calls (keyctl, unshare, mount, bpf, ptrace on old kernels...) that most container escapes and kernel exploits start with.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove `seccomp:unconfined` from `security_opt` (the default profile then applies) or name a custom profile.",
		workload.KindKubernetes: "Set `securityContext.seccompProfile.type: RuntimeDefault` instead of Unconfined.",
		workload.KindOCI:        "Add a `linux.seccomp` section (e.g. `ward-runtime spec` or Docker's default profile).",
		workload.KindInspect:    "Run without `--security-opt seccomp=unconfined`.",
	},
	Equivalents: []string{"docker-bench 5.21", "PSS baseline: Seccomp"},
	Check:       checkSeccompDisabled,
}

func checkSeccompDisabled(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.Seccomp != workload.SeccompUnconfined || w.Privileged {
		return nil // privileged is WD120's, and implies it
	}
	msg := "seccomp is set to unconfined"
	if w.Kind == workload.KindOCI {
		msg = "no seccomp filter: config.json has no linux.seccomp section, or one that allows everything"
	}
	return []audit.Violation{{Message: msg, Line: w.LineOf(workload.FieldSeccomp)}}
}
