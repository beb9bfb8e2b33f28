package rules

import (
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// UnsafeSysctl fires on kernel parameters outside the Pod Security safe set.
var UnsafeSysctl = audit.Rule{
	ID:        "WD185",
	Checklist: audit.Isolation,
	Severity:  audit.Medium,
	Title:     "Unsafe sysctl set",
	Why:       "Most sysctls are not namespaced, or are namespaced but let one container starve or misconfigure the node; only a short list is known safe to set per container.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove the entry from `sysctls:`, or keep to the safe set (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_*, net.ipv4.tcp_fin_timeout).",
		workload.KindKubernetes: "Remove it from `securityContext.sysctls`, or keep to the safe set; set node-level parameters on the node.",
		workload.KindOCI:        "Remove it from `linux.sysctl`.",
		workload.KindInspect:    "Run without `--sysctl` for it.",
	},
	Equivalents: []string{"PSS baseline: Sysctls"},
	Check:       checkUnsafeSysctl,
}

// safeSysctls is the Pod Security Standards' allowed list.
var safeSysctls = []string{
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

func checkUnsafeSysctl(w *workload.Workload, _ audit.Settings) []audit.Violation {
	var out []audit.Violation
	for _, s := range w.Sysctls {
		name := strings.ReplaceAll(s.Name, "/", ".")
		if !slices.Contains(safeSysctls, name) {
			out = append(out, audit.Violation{Message: "sysctl " + s.Name + "=" + s.Value + " is outside the safe set", Line: s.Line})
		}
	}
	return out
}
