package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// UnrestrictedEgress fires on workloads that may send anywhere: Docker's
// and compose's default, a pod no egress NetworkPolicy selects. Nothing
// fires where the input cannot tell (another container's network).
var UnrestrictedEgress = audit.Rule{
	ID:        "WD171",
	Checklist: audit.Network,
	Severity:  audit.Medium,
	Title:     "Egress not restricted by a network policy",
	Why:       "A container that may connect anywhere lets an intruder download tools, reach internal services and cloud metadata endpoints, and send data out; an allow-list of the few destinations it needs stops all of that.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Put the service only on `internal: true` networks (with a proxy for what it must reach), or `network_mode: none` when it needs no network.",
		workload.KindKubernetes: "Add a NetworkPolicy with `policyTypes: [Egress]` selecting the pod and allowing only what it needs (a default-deny policy per namespace first).",
		workload.KindOCI:        "Give the container a network namespace of its own (`linux.namespaces`) that nothing configures, or join one whose egress a firewall restricts.",
		workload.KindInspect:    "Run with `--egress allow=CIDR[:PORT[/PROTO]]` or `--egress deny-all`, on a network created with `ward network create --egress ...`, or with `--network none`.",
	},
	Equivalents: []string{"Kubernetes NetworkPolicy default deny", "NSA/CISA Kubernetes hardening: network separation"},
	Check:       checkEgress,
}

func checkEgress(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.Network.Egress != workload.EgressAllowAll {
		return nil
	}
	return []audit.Violation{{Message: "egress is unrestricted: " + w.Network.Detail, Line: w.Network.Line}}
}
