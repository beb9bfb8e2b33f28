package rules

import (
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SSHServer fires on images that ship an SSH daemon or expose port 22, and
// on Dockerfiles whose final image exposes port 22.
var SSHServer = audit.Rule{
	ID:        "WD231",
	Checklist: audit.Network,
	Severity:  audit.Medium,
	Title:     "SSH server in the image",
	Why:       "An SSH daemon in a container is a second way in with its own credentials, keys and CVEs, outside the engine's exec and logging; `ward exec` (or `docker exec`) already gives a shell when one is needed.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Remove `EXPOSE 22` and the SSH server package; use `docker exec` / `ward exec` to get a shell.",
		workload.KindImage:      "Rebuild without the SSH server (`apt-get purge openssh-server`, `apk del openssh dropbear`) and without `EXPOSE 22`; use `ward exec` to get a shell.",
	},
	Equivalents: []string{"docker-bench 5.6 (sshd not run within containers)"},
	Check:       checkSSHServer,
}

func checkSSHServer(w *workload.Workload, s audit.Settings) []audit.Violation {
	if w.Build != nil {
		return eachInstruction(exposesSSH)(w, s)
	}
	var why []string
	if w.Content != nil && w.Content.SSHServer != "" {
		why = append(why, "ships "+w.Content.SSHServer)
	}
	for _, p := range w.Exposed {
		if isSSHPort(p) {
			why = append(why, "exposes "+p)
		}
	}
	if len(why) == 0 {
		return nil
	}
	return []audit.Violation{{Message: "the image " + strings.Join(why, " and ")}}
}

func exposesSSH(in workload.Instruction) string {
	if in.Command != "expose" {
		return ""
	}
	for _, p := range strings.Fields(in.Args) {
		if isSSHPort(p) {
			return "EXPOSE " + p + ": an SSH server's port"
		}
	}
	return ""
}

// isSSHPort reports whether an EXPOSE or ExposedPorts entry is TCP port 22.
func isSSHPort(p string) bool {
	port, proto, _ := strings.Cut(p, "/")
	return port == "22" && (proto == "" || strings.EqualFold(proto, "tcp"))
}
