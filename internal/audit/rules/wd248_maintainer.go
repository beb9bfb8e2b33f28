package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// Maintainer fires on the deprecated MAINTAINER instruction.
var Maintainer = audit.Rule{
	ID:        "WD248",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Info,
	Title:     "MAINTAINER is deprecated",
	Why:       "MAINTAINER has been deprecated since Docker 1.13; tools read the org.opencontainers.image.authors label instead.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Replace `MAINTAINER name` with `LABEL org.opencontainers.image.authors=\"name\"`.",
	},
	Equivalents: []string{"hadolint DL4000", "trivy AVD-DS-0022"},
	Check:       eachInstruction(maintainer),
}

func maintainer(in workload.Instruction) string {
	if in.Command == "maintainer" {
		return "MAINTAINER " + in.Args + ": use LABEL org.opencontainers.image.authors"
	}
	return ""
}
