package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// AppArmorDisabled fires when the AppArmor profile is set to unconfined.
var AppArmorDisabled = audit.Rule{
	ID:        "WD182",
	Checklist: audit.Isolation,
	Severity:  audit.Medium,
	Title:     "AppArmor disabled",
	Why:       "On AppArmor hosts the runtime's default profile denies mounts, writes to /proc and /sys knobs and other escape primitives; unconfined removes that layer.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove `apparmor:unconfined` from `security_opt`.",
		workload.KindKubernetes: "Set `securityContext.appArmorProfile.type: RuntimeDefault` (or remove the Unconfined setting or annotation).",
		workload.KindOCI:        "Set `process.apparmorProfile` to the runtime's default profile instead of `unconfined`.",
		workload.KindInspect:    "Run without `--security-opt apparmor=unconfined`.",
	},
	Equivalents: []string{"docker-bench 5.1", "PSS baseline: AppArmor"},
	Check: weakened(func(w *workload.Workload) string {
		if w.AppArmor == "unconfined" {
			return "the AppArmor profile is unconfined"
		}
		return ""
	}, workload.FieldAppArmor),
}
