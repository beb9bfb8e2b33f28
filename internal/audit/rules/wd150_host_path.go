package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// HostPathMounted fires on bind mounts of host paths that are not sensitive
// system directories (those are WD151) or runtime sockets (WD152).
var HostPathMounted = audit.Rule{
	ID:        "WD150",
	Checklist: audit.HostMounts,
	Severity:  audit.Medium,
	Title:     "Host path mounted",
	Why:       "A host path ties the container to one machine's files and lets it read or change them outside the container's own filesystem; named volumes keep data without exposing the host.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Use a named volume (`volumes: [data:/path]`) instead of a host path, or mount the host path `:ro`.",
		workload.KindKubernetes: "Replace the `hostPath` volume with a PersistentVolumeClaim, configMap, secret or emptyDir.",
		workload.KindOCI:        "Remove the `bind` entry from `mounts`, or add `ro` to its options.",
		workload.KindInspect:    "Use `--mount type=volume` instead of `-v /host/path:...`, or add `:ro`.",
	},
	Equivalents: []string{"PSS baseline: HostPath Volumes"},
	Check:       checkMountClass(plainHostPath),
}

func checkMountClass(c mountClass) func(*workload.Workload, audit.Settings) []audit.Violation {
	return func(w *workload.Workload, _ audit.Settings) []audit.Violation {
		var out []audit.Violation
		for _, m := range w.Mounts {
			if classifyMount(w.Kind, m) == c {
				out = append(out, audit.Violation{Message: describeMount(m), Line: m.Line})
			}
		}
		return out
	}
}
