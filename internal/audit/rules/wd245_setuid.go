package rules

import (
	"regexp"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SetuidBits fires on builds that set setuid or setgid bits.
var SetuidBits = audit.Rule{
	ID:        "WD245",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Medium,
	Title:     "setuid/setgid bit set in the build",
	Why:       "A setuid-root file lets any user of the container become root through it, the exact escalation that USER and no-new-privileges try to close.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Do not `chmod u+s`/`g+s` (or 4xxx/2xxx modes); give the program the one capability it needs with `setcap`, or run it as the user that needs it.",
	},
	Equivalents: []string{"dockle CIS-DI-0008"},
	Check:       eachInstruction(setsSetuid),
}

var (
	chmodCmd  = shellWord(`chmod`)
	setuidArg = regexp.MustCompile(`chmod\s+(-\S+\s+)*([ugoa]*[+=][rwxXt]*s|0?[2-7][0-7]{3}\b)`)
)

func setsSetuid(in workload.Instruction) string {
	if in.Command == "run" && chmodCmd.MatchString(in.Args) && setuidArg.MatchString(in.Args) {
		return "RUN sets a setuid or setgid bit"
	}
	return ""
}
