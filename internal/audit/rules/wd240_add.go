package rules

import (
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// AddInsteadOfCopy fires on ADD of local files, where COPY says the same
// without ADD's URL fetching and archive unpacking.
var AddInsteadOfCopy = audit.Rule{
	ID:        "WD240",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Low,
	Title:     "ADD used instead of COPY",
	Why:       "ADD silently unpacks archives and fetches URLs; for plain files COPY is explicit and cannot surprise a reviewer with extracted content.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Replace `ADD` with `COPY` for local files; keep ADD only to unpack a local tar on purpose.",
	},
	Equivalents: []string{"hadolint DL3020", "dockle CIS-DI-0009"},
	Check:       eachInstruction(addOfLocalFiles),
}

var archiveSuffixes = []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"}

func addOfLocalFiles(in workload.Instruction) string {
	if in.Command != "add" {
		return ""
	}
	var words []string
	for _, f := range strings.Fields(in.Args) {
		if !strings.HasPrefix(f, "--") {
			words = append(words, strings.Trim(f, `[]",`))
		}
	}
	if len(words) < 2 {
		return ""
	}
	for _, src := range words[:len(words)-1] {
		if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
			continue
		}
		archive := false
		for _, s := range archiveSuffixes {
			archive = archive || strings.HasSuffix(strings.ToLower(src), s)
		}
		if !archive {
			return "ADD " + src + ": use COPY for local files"
		}
	}
	return ""
}
