package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// RunCd fires on `cd` inside RUN, where WORKDIR says it once for every
// later instruction.
var RunCd = audit.Rule{
	ID:        "WD251",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Info,
	Title:     "cd in RUN instead of WORKDIR",
	Why:       "A cd lasts for one RUN only; later instructions run elsewhere than a reader assumes, and paths become relative to a directory nothing declares.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Use `WORKDIR /path` before the RUN instead of `cd /path && ...`.",
	},
	Equivalents: []string{"hadolint DL3003", "trivy AVD-DS-0013"},
	Check:       eachInstruction(runCd),
}

var cdCmd = shellWord(`cd`)

func runCd(in workload.Instruction) string {
	if in.Command == "run" && cdCmd.MatchString(in.Args) {
		return "RUN changes directory with cd"
	}
	return ""
}
