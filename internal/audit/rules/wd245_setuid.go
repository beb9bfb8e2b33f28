package rules

import (
	"fmt"
	"regexp"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// SetuidBits fires on builds that set setuid or setgid bits, and on images
// whose layers hold setuid or setgid files.
var SetuidBits = audit.Rule{
	ID:        "WD245",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Medium,
	Title:     "setuid/setgid files in the image",
	Why:       "A setuid-root file lets any user of the container become root through it, the exact escalation that USER and no-new-privileges try to close.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Do not `chmod u+s`/`g+s` (or 4xxx/2xxx modes); give the program the one capability it needs with `setcap`, or run it as the user that needs it.",
		workload.KindImage:      "Rebuild with the bits removed (`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`) or without the programs; run with `ward run --security-opt no-new-privileges` so the bits cannot raise privileges.",
	},
	Equivalents: []string{"dockle CIS-DI-0008"},
	Check:       checkSetuid,
}

// maxListed bounds the files a message names; the rest are counted.
const maxListed = 8

func checkSetuid(w *workload.Workload, s audit.Settings) []audit.Violation {
	if w.Content != nil {
		files := w.Content.Setuid
		if len(files) == 0 {
			return nil
		}
		msg := fmt.Sprintf("%d setuid/setgid files: %s", len(files), join(files[:min(len(files), maxListed)]))
		if len(files) > maxListed {
			msg += fmt.Sprintf(" and %d more", len(files)-maxListed)
		}
		return []audit.Violation{{Message: msg}}
	}
	return eachInstruction(setsSetuid)(w, s)
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
