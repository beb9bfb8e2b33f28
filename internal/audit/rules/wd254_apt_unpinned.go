package rules

import (
	"regexp"
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// AptUnpinned fires on apt-get install of packages without a version
// (name=version): the image then holds whatever the mirror had that day.
var AptUnpinned = audit.Rule{
	ID:        "WD254",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Info,
	Title:     "apt-get install without pinned versions",
	Why:       "Unpinned packages make two builds of the same Dockerfile differ; a reviewed image can be rebuilt into an unreviewed one. Pinning (with a rebuild policy for security fixes) makes the content a decision.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Pin each package: `apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5`; rebuild and bump pins to take fixes.",
	},
	Equivalents: []string{"hadolint DL3008"},
	Check:       eachInstruction(aptUnpinned),
}

// aptInstallArgs captures what follows `apt-get install` up to the end of
// that shell command.
var aptInstallArgs = regexp.MustCompile(`apt(?:-get)?\s+(?:-\S+\s+)*install\s+([^;&|\n]*)`)

func aptUnpinned(in workload.Instruction) string {
	if in.Command != "run" {
		return ""
	}
	var unpinned []string
	for _, m := range aptInstallArgs.FindAllStringSubmatch(in.Args, -1) {
		for _, w := range strings.Fields(m[1]) {
			w = strings.Trim(w, `\"'`)
			if w == "" || strings.HasPrefix(w, "-") || strings.Contains(w, "=") || strings.Contains(w, "$") ||
				strings.HasSuffix(w, ".deb") || strings.HasPrefix(w, "/") || strings.HasPrefix(w, "./") {
				continue
			}
			unpinned = append(unpinned, w)
		}
	}
	if len(unpinned) == 0 {
		return ""
	}
	return "apt-get install of unpinned " + join(unpinned)
}
