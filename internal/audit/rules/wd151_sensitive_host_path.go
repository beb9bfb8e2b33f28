package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SensitiveHostPathMounted fires on mounts of the host's system directories.
var SensitiveHostPathMounted = audit.Rule{
	ID:        "WD151",
	Checklist: audit.HostMounts,
	Severity:  audit.High,
	Title:     "Sensitive host directory mounted",
	Why:       "Mounting /, /etc, /proc, /sys, /dev, /boot, /root, /var/lib/docker or /var/lib/kubelet gives the container the host's credentials, devices, kernel knobs or other containers' data; read-write, it is a host takeover.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove the bind of the system directory from `volumes`; mount only the specific file needed, read-only.",
		workload.KindKubernetes: "Remove the `hostPath` volume of the system directory; use a configMap/secret for files, a DaemonSet-specific minimal path if unavoidable.",
		workload.KindOCI:        "Remove the `bind` mount of the system directory from `mounts`.",
		workload.KindInspect:    "Run without `-v` of the system directory.",
	},
	Equivalents: []string{"docker-bench 5.5", "dockle DKL-DI-0002", "PSS baseline: HostPath Volumes"},
	Check:       checkMountClass(sensitiveHostPath),
}
