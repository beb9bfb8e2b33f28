package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// DistUpgrade fires on distribution upgrades inside a build.
var DistUpgrade = audit.Rule{
	ID:        "WD242",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Low,
	Title:     "Distribution upgrade in the build",
	Why:       "dist-upgrade can move the image to packages the base image's maintainers never tested together and makes the build depend on the day it ran; take security fixes by rebuilding on an updated base.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Remove `apt-get dist-upgrade`/`full-upgrade`; rebuild on a fresher base tag instead.",
	},
	Equivalents: []string{"dockle DKL-DI-0003", "hadolint DL3005 (retired)"},
	Check:       eachInstruction(distUpgrade),
}

var distUpgradeCmd = shellWord(`apt(-get)? +(-\S+ +)*(dist-upgrade|full-upgrade)`)

func distUpgrade(in workload.Instruction) string {
	if in.Command == "run" && distUpgradeCmd.MatchString(in.Args) {
		return "RUN performs a distribution upgrade"
	}
	return ""
}
