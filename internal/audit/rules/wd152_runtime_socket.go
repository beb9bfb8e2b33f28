package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// RuntimeSocketMounted fires when a container runtime's API socket is mounted.
var RuntimeSocketMounted = audit.Rule{
	ID:        "WD152",
	Checklist: audit.HostMounts,
	Severity:  audit.Critical,
	Title:     "Container runtime socket mounted",
	Why:       "Whoever talks to docker.sock (or containerd's, CRI-O's, Podman's) can start a privileged container with the host's root mounted: the socket is root on the host, read-only mount or not.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Remove the `/var/run/docker.sock` entry from `volumes`; if an agent needs the API, give it a filtering proxy with only the calls it needs.",
		workload.KindKubernetes: "Remove the `hostPath` volume of the runtime socket.",
		workload.KindOCI:        "Remove the socket's `bind` entry from `mounts`.",
		workload.KindInspect:    "Run without `-v /var/run/docker.sock:...`.",
	},
	Equivalents: []string{"docker-bench 5.31"},
	Check:       checkMountClass(runtimeSocket),
}
