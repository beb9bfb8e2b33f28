package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// CopyWithoutChown fires on COPY (or ADD) without --chown into a directory
// where a later RUN, as the non-root USER, works: COPY makes files owned
// by root, so that step cannot write there (npm install, pip install
// --user, a build writing its output). Files the user only reads should
// stay root-owned: the rule does not ask for --chown everywhere.
var CopyWithoutChown = audit.Rule{
	ID:        "WD253",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Low,
	Title:     "COPY without --chown where the non-root USER then writes",
	Why:       "COPY creates root-owned files whatever USER says; a RUN as a non-root user in that directory fails to write, and the usual workaround (chmod -R 777, or going back to root) is worse than --chown on the files that must be written.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Use `COPY --chown=USER:GROUP src dest` (or `--chmod`) for what the user must write, and keep the rest root-owned.",
	},
	Equivalents: []string{"hadolint: none; docker build fails with EACCES at the RUN"},
	Check:       copyWithoutChown,
}

func copyWithoutChown(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.Build == nil {
		return nil
	}
	type copied struct {
		dir  string
		line int
	}
	var copies []copied
	user, workdir := "", "/"
	var out []audit.Violation
	reported := map[int]bool{}
	for _, in := range w.Build.Instructions {
		switch in.Command {
		case "user":
			user = strings.TrimSpace(in.Args)
		case "workdir":
			if d := strings.Trim(strings.TrimSpace(in.Args), `"'`); strings.HasPrefix(d, "/") {
				workdir = path.Clean(d)
			} else if d != "" && !strings.HasPrefix(d, "$") {
				workdir = path.Join(workdir, d)
			}
		case "copy", "add":
			if strings.Contains(in.Args, "--chown") || strings.Contains(in.Args, "--chmod") || strings.Contains(in.Args, "--from") {
				continue
			}
			words := instructionWords(in.Args)
			if len(words) < 2 {
				continue
			}
			dest := words[len(words)-1]
			if !strings.HasPrefix(dest, "/") {
				dest = path.Join(workdir, dest)
			}
			if len(words) > 2 || strings.HasSuffix(words[len(words)-1], "/") || dest == workdir {
				copies = append(copies, copied{path.Clean(dest), in.Line})
			} else {
				copies = append(copies, copied{path.Dir(dest), in.Line}) // a file: its directory is what is written
			}
		case "run":
			if isRootUser(user) {
				continue
			}
			for _, c := range copies {
				if (workdir == c.dir || strings.HasPrefix(workdir, c.dir+"/")) && c.dir != "/" && !reported[c.line] {
					reported[c.line] = true
					out = append(out, audit.Violation{Line: c.line,
						Message: fmt.Sprintf("COPY into %s without --chown, then RUN as %s in %s (line %d) cannot write there", c.dir, user, workdir, in.Line)})
				}
			}
		}
	}
	return out
}

// isRootUser reports whether a USER value names root ("", root, 0, 0:0).
func isRootUser(u string) bool {
	name, _, _ := strings.Cut(u, ":")
	return name == "" || name == "root" || name == "0"
}
