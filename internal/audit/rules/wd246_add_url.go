package rules

import (
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// AddURL fires on ADD of a URL fetched without a checksum: whatever the
// server (or anyone on the path) serves that day goes into the image.
var AddURL = audit.Rule{
	ID:        "WD246",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Medium,
	Title:     "ADD fetches a URL without a checksum",
	Why:       "ADD https://... downloads at build time and trusts whatever comes back: no checksum, no signature, a different file on every build once the server changes it.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Pin the content: `ADD --checksum=sha256:... URL DEST`, or download with curl in a RUN that verifies a checksum or signature; for git sources pin a commit.",
	},
	Equivalents: []string{"hadolint DL3020", "trivy AVD-DS-0005"},
	Check:       eachInstruction(addOfURL),
}

func addOfURL(in workload.Instruction) string {
	if in.Command != "add" || strings.Contains(in.Args, "--checksum=") {
		return ""
	}
	words := instructionWords(in.Args)
	if len(words) < 2 {
		return ""
	}
	for _, src := range words[:len(words)-1] {
		if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "git@") {
			return "ADD " + src + " is fetched without a checksum"
		}
	}
	return ""
}

// instructionWords splits an instruction's arguments, shell or JSON form,
// into words, flags (--chown=...) left out.
func instructionWords(args string) []string {
	var words []string
	for _, f := range strings.Fields(args) {
		f = strings.Trim(f, `[]",`)
		if f != "" && !strings.HasPrefix(f, "--") {
			words = append(words, f)
		}
	}
	return words
}
