package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// HostDeviceExposed fires when a host device node is given to the container.
var HostDeviceExposed = audit.Rule{
	ID:        "WD153",
	Checklist: audit.HostMounts,
	Severity:  audit.Medium,
	Title:     "Host device exposed",
	Why:       "A device node reaches the host's hardware or kernel driver directly: a disk device reads every file on it, /dev/mem or /dev/kmsg the kernel's memory or log, and driver bugs become container escapes.",
	Fix: map[workload.Kind]string{
		workload.KindCompose: "Remove the entry from `devices:`, or narrow it to the one device and `r`/`w` permissions needed.",
		workload.KindOCI:     "Remove the node from `linux.devices` (and its allow rule from `linux.resources.devices`).",
		workload.KindInspect: "Run without `--device`, or with only the one device needed.",
	},
	Equivalents: []string{"docker-bench 5.17"},
	Check:       checkHostDevice,
}

func checkHostDevice(w *workload.Workload, _ audit.Settings) []audit.Violation {
	var out []audit.Violation
	for _, d := range w.Devices {
		out = append(out, audit.Violation{Message: "host device " + quote(d.Host) + " is available at " + quote(d.Container), Line: d.Line})
	}
	return out
}
