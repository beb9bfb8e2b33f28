package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// sharedNamespace builds the check for one host namespace.
func sharedNamespace(get func(*workload.Workload) bool, f workload.Field, msg string) func(*workload.Workload, audit.Settings) []audit.Violation {
	return func(w *workload.Workload, _ audit.Settings) []audit.Violation {
		if !get(w) {
			return nil
		}
		return []audit.Violation{{Message: msg, Line: w.LineOf(f)}}
	}
}
