package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// PortOnAllInterfaces fires on ports published on every host interface, and
// on Kubernetes hostPorts, which bind the node's own port.
var PortOnAllInterfaces = audit.Rule{
	ID:        "WD230",
	Checklist: audit.Network,
	Severity:  audit.Low,
	Title:     "Port published on all host interfaces",
	Why:       "A port published without an address listens on every interface of the host, public ones included, and Docker's iptables rules bypass the host firewall for it.",
	Fix: map[workload.Kind]string{
		workload.KindCompose:    "Bind the port to one address: `ports: [\"127.0.0.1:8080:80\"]` (or `host_ip:`).",
		workload.KindKubernetes: "Remove `hostPort`; expose the pod through a Service.",
		workload.KindInspect:    "Publish with an address: `-p 127.0.0.1:8080:80`.",
	},
	Equivalents: []string{"docker-bench 5.13", "PSS baseline: Host Ports"},
	Check:       checkPorts,
}

func checkPorts(w *workload.Workload, _ audit.Settings) []audit.Violation {
	var out []audit.Violation
	for _, p := range w.Ports {
		if w.Kind == workload.KindKubernetes {
			out = append(out, audit.Violation{Message: "hostPort " + p.HostPort + " binds the node's port", Line: p.Line})
			continue
		}
		switch p.HostIP {
		case "", "0.0.0.0", "::", "[::]":
			out = append(out, audit.Violation{Message: "host port " + p.HostPort + " (container " + p.ContainerPort + ") is published on all interfaces", Line: p.Line})
		}
	}
	return out
}
