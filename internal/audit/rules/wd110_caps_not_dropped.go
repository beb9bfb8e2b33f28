package rules

import (
	"fmt"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// CapabilitiesNotDropped fires when the effective set holds anything beyond
// NET_BIND_SERVICE: the runtime defaults (NET_RAW among them) were kept, or
// baseline capabilities were added back after dropping ALL.
var CapabilitiesNotDropped = audit.Rule{
	ID:        "WD110",
	Checklist: audit.Capabilities,
	Severity:  audit.Medium,
	Title:     "Capabilities not dropped to what is needed",
	Why:       "The default set gives root in the container CHOWN, DAC_OVERRIDE, SETUID, NET_RAW (spoofed packets, ARP tricks) and more. Few programs need any of them; each one kept is a tool for an attacker who gets code execution.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Set `cap_drop: [ALL]` and list in `cap_add` only what the service needs (usually nothing, or NET_BIND_SERVICE).",
		workload.KindKubernetes: "Set `securityContext.capabilities.drop: [\"ALL\"]` on the container and add back only `NET_BIND_SERVICE` if needed.",
		workload.KindOCI:        "Empty `process.capabilities` (bounding, effective, permitted) except what is needed.",
		workload.KindInspect:    "Run with `--cap-drop ALL` and add back only what is needed with `--cap-add`.",
	},
	Equivalents: []string{"docker-bench 5.3", "PSS restricted: Capabilities"},
	Check:       checkCapabilitiesNotDropped,
}

func checkCapabilitiesNotDropped(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.Privileged {
		return nil // WD120 reports it; every capability is the least of it
	}
	// Capabilities added beyond the baseline list are WD111's; this rule is
	// about what was kept, or added back within the baseline list.
	allowed := append([]string{"NET_BIND_SERVICE"}, beyond(w.CapAdd, baselineCapabilities)...)
	extra := beyond(w.Capabilities, allowed)
	if len(extra) == 0 {
		return nil
	}
	msg := fmt.Sprintf("effective capabilities include %s: ALL is not dropped", join(extra))
	if w.DropAll {
		msg = fmt.Sprintf("ALL is dropped but %s are added back", join(extra))
	}
	return []audit.Violation{{Message: msg, Line: w.LineOf(workload.FieldCapDrop)}}
}
