package rules

import (
	"regexp"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// eachInstruction builds a check that reports every instruction of the final
// image for which bad returns a message.
func eachInstruction(bad func(workload.Instruction) string) func(*workload.Workload, audit.Settings) []audit.Violation {
	return func(w *workload.Workload, _ audit.Settings) []audit.Violation {
		if w.Build == nil {
			return nil
		}
		var out []audit.Violation
		for _, in := range w.Build.Instructions {
			if msg := bad(in); msg != "" {
				out = append(out, audit.Violation{Message: msg, Line: in.Line})
			}
		}
		return out
	}
}

// shellWord matches cmd as a command word in a shell line: at the start, or
// after ;, &&, ||, | or a newline, with an optional path before it.
func shellWord(cmd string) *regexp.Regexp {
	return regexp.MustCompile(`(^|[;&|\n(]|\bthen|\bdo)\s*(\S*/)?` + cmd + `\b`)
}
