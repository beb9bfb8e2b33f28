package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SudoInImage fires on RUN lines that call sudo, and on images that ship
// a sudo binary.
var SudoInImage = audit.Rule{
	ID:        "WD244",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Medium,
	Title:     "sudo used in the build",
	Why:       "sudo in an image means a setuid-root binary and a sudoers policy shipped to production, a ready path back to root; builds should switch users with USER instead.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Drop `sudo`: run the step before `USER`, or switch with `USER root` ... `USER app` around it.",
		workload.KindImage:      "Rebuild without sudo (`apt-get purge -y sudo` / `apk del sudo` in the Dockerfile); switch users with USER instead.",
	},
	Equivalents: []string{"hadolint DL3004", "dockle DKL-DI-0001"},
	Check:       checkSudo,
}

func checkSudo(w *workload.Workload, s audit.Settings) []audit.Violation {
	if w.Content != nil && w.Content.Sudo != "" {
		return []audit.Violation{{Message: "the image ships sudo (" + w.Content.Sudo + ")"}}
	}
	return eachInstruction(usesSudo)(w, s)
}

var sudoCmd = shellWord(`sudo`)

func usesSudo(in workload.Instruction) string {
	if in.Command == "run" && sudoCmd.MatchString(in.Args) {
		return "RUN calls sudo"
	}
	return ""
}
