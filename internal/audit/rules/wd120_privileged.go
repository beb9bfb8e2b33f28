package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// PrivilegedContainer fires on privileged containers.
var PrivilegedContainer = audit.Rule{
	ID:        "WD120",
	Checklist: audit.Privileged,
	Severity:  audit.Critical,
	Title:     "Privileged container",
	Why:       "A privileged container gets every capability, every device, no seccomp filter and no AppArmor profile: it is root on the host with extra steps.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove `privileged: true`; grant the one capability or device the service needs (`cap_add`, `devices`).",
		workload.KindKubernetes: "Remove `securityContext.privileged: true`; grant the one capability the container needs.",
		workload.KindOCI:        "Drop the capabilities not needed from `process.capabilities`, restore `linux.maskedPaths`/`readonlyPaths` and a `linux.seccomp` profile.",
		workload.KindInspect:    "Run without `--privileged`; use `--cap-add` or `--device` for the one thing needed.",
	},
	Equivalents: []string{"docker-bench 5.4", "PSS baseline: Privileged Containers"},
	Check:       checkPrivileged,
}

func checkPrivileged(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if !w.Privileged {
		return nil
	}
	msg := "runs privileged: all capabilities, all devices, no seccomp"
	if w.Kind == workload.KindOCI {
		msg = "looks privileged: SYS_ADMIN in the bounding set and nothing masked, as --privileged generates"
	}
	return []audit.Violation{{Message: msg, Line: w.LineOf(workload.FieldPrivileged)}}
}
