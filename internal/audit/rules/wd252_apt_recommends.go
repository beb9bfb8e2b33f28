package rules

import (
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// AptRecommends fires on apt-get install without --no-install-recommends:
// Debian and Ubuntu then install every recommended package too.
var AptRecommends = audit.Rule{
	ID:        "WD252",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Low,
	Title:     "apt installs recommended packages",
	Why:       "Recommended packages are not needed to run: they add size and attack surface (often dozens of packages, some with their own advisories) to every image.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Add `--no-install-recommends` to `apt-get install` (or set APT::Install-Recommends \"false\" in /etc/apt/apt.conf.d).",
	},
	Equivalents: []string{"hadolint DL3015", "trivy AVD-DS-0029"},
	Check:       eachInstruction(aptRecommends),
}

func aptRecommends(in workload.Instruction) string {
	if in.Command != "run" || !aptInstall.MatchString(in.Args) {
		return ""
	}
	if strings.Contains(in.Args, "--no-install-recommends") || strings.Contains(in.Args, "Install-Recommends=false") ||
		strings.Contains(in.Args, `Install-Recommends "false"`) {
		return ""
	}
	return "apt-get install without --no-install-recommends"
}
