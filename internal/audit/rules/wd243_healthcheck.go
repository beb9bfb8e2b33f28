package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// NoHealthcheck fires when the image (or the container) defines no health check.
var NoHealthcheck = audit.Rule{
	ID:        "WD243",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Info,
	Title:     "No HEALTHCHECK",
	Why:       "Without a health check the engine only knows the process exists, not that it serves; a hung or hijacked service keeps receiving traffic.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Add `HEALTHCHECK CMD [\"/app\", \"health\"]` (or a curl/wget of a health endpoint) to the final stage.",
		workload.KindInspect:    "Run with `--health-cmd` or add HEALTHCHECK to the image.",
		workload.KindImage:      "Rebuild with `HEALTHCHECK CMD [\"/app\", \"health\"]` in the Dockerfile's final stage.",
	},
	Equivalents: []string{"dockle CIS-DI-0006", "docker-bench 5.26"},
	Check:       checkNoHealthcheck,
}

func checkNoHealthcheck(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.Healthcheck {
		return nil
	}
	return []audit.Violation{{Message: "no health check is defined", Line: w.LineOf(workload.FieldHealthcheck)}}
}
