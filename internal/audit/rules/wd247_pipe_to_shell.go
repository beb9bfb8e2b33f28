package rules

import (
	"regexp"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// PipeToShell fires on `curl ... | sh` and `wget -O- ... | bash`: a script
// run as it downloads, unverified.
var PipeToShell = audit.Rule{
	ID:        "WD247",
	Checklist: audit.ImageHygiene,
	Severity:  audit.High,
	Title:     "Downloaded script piped into a shell",
	Why:       "curl | sh runs whatever the server sends, as root in the build, with no checksum or signature; a compromised or spoofed server owns the image. A truncated download can even run half a script.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Download to a file, verify its checksum or signature (`echo \"SHA256  file\" | sha256sum -c`), then run it; better, install the tool from a package repository.",
	},
	Equivalents: []string{"hadolint DL4006 (pipefail, related)", "checkov CKV2_DOCKER_4 (related)"},
	Check:       eachInstruction(pipeToShell),
}

var pipeToShellRE = regexp.MustCompile(`\b(curl|wget)\b[^;&|]*\|\s*(sudo\s+(-\S+\s+)*)?(\S*/)?(env\s+)?(sh|bash|dash|zsh|ksh|ash|python3?|perl|ruby)\b`)

func pipeToShell(in workload.Instruction) string {
	if in.Command != "run" {
		return ""
	}
	if m := pipeToShellRE.FindStringSubmatch(in.Args); m != nil {
		return "RUN pipes a " + m[1] + " download into " + m[6]
	}
	return ""
}
