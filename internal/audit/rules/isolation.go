package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// weakened builds the check of one isolation setting. Privileged workloads
// are left to WD120, which already says every one of them is off.
func weakened(msg func(*workload.Workload) string, f workload.Field) func(*workload.Workload, audit.Settings) []audit.Violation {
	return func(w *workload.Workload, _ audit.Settings) []audit.Violation {
		if w.Privileged {
			return nil
		}
		if m := msg(w); m != "" {
			return []audit.Violation{{Message: m, Line: w.LineOf(f)}}
		}
		return nil
	}
}
