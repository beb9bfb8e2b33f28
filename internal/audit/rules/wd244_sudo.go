package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SudoInImage fires on RUN lines that call sudo.
var SudoInImage = audit.Rule{
	ID:        "WD244",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Medium,
	Title:     "sudo used in the build",
	Why:       "sudo in an image means a setuid-root binary and a sudoers policy shipped to production, a ready path back to root; builds should switch users with USER instead.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Drop `sudo`: run the step before `USER`, or switch with `USER root` ... `USER app` around it.",
	},
	Equivalents: []string{"hadolint DL3004", "dockle DKL-DI-0001"},
	Check:       eachInstruction(usesSudo),
}

var sudoCmd = shellWord(`sudo`)

func usesSudo(in workload.Instruction) string {
	if in.Command == "run" && sudoCmd.MatchString(in.Args) {
		return "RUN calls sudo"
	}
	return ""
}
