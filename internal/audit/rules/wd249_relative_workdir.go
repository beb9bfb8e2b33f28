package rules

import (
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// RelativeWorkdir fires on WORKDIR with a relative path, which resolves
// against whatever WORKDIR the base image left.
var RelativeWorkdir = audit.Rule{
	ID:        "WD249",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Low,
	Title:     "WORKDIR is a relative path",
	Why:       "A relative WORKDIR is joined to the previous one, which a base image may change: the same Dockerfile then writes its files somewhere else.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Give WORKDIR an absolute path (`WORKDIR /app`).",
	},
	Equivalents: []string{"hadolint DL3000", "trivy AVD-DS-0013"},
	Check:       eachInstruction(relativeWorkdir),
}

func relativeWorkdir(in workload.Instruction) string {
	if in.Command != "workdir" {
		return ""
	}
	dir := strings.Trim(strings.TrimSpace(in.Args), `"'`)
	// A variable may expand to an absolute path; it is not guessed at.
	if dir == "" || strings.HasPrefix(dir, "/") || strings.HasPrefix(dir, "$") {
		return ""
	}
	return "WORKDIR " + dir + " is relative"
}
