package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// ProcUnmasked fires when the paths runtimes hide in /proc and /sys are exposed.
var ProcUnmasked = audit.Rule{
	ID:        "WD184",
	Checklist: audit.Isolation,
	Severity:  audit.Medium,
	Title:     "/proc and /sys not masked",
	Why:       "Runtimes mask /proc/kcore, /proc/keys, /proc/sysrq-trigger, /sys/firmware and others, and make /proc/sys read-only; unmasked, root in the container can read kernel memory or reboot the host.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove `systempaths=unconfined` from `security_opt`.",
		workload.KindKubernetes: "Remove `securityContext.procMount: Unmasked` (the default is Default).",
		workload.KindOCI:        "Restore `linux.maskedPaths` and `linux.readonlyPaths` (`ward-runtime spec` writes the defaults).",
		workload.KindInspect:    "Run without `--security-opt systempaths=unconfined`.",
	},
	Equivalents: []string{"PSS baseline: /proc Mount Type"},
	Check: weakened(func(w *workload.Workload) string {
		if w.ProcUnmasked {
			return "the runtime's masked and read-only /proc and /sys paths are exposed"
		}
		return ""
	}, workload.FieldProcMount),
}
