package rules

import (
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// ImageNotPinned fires on image references with no tag or the latest tag. A
// digest pins the image whatever the tag says.
var ImageNotPinned = audit.Rule{
	ID:        "WD190",
	Checklist: audit.ImageTag,
	Severity:  audit.Medium,
	Title:     "Image not pinned (no tag or latest)",
	Why:       "An untagged or :latest image changes under you: builds and deployments stop being reproducible, and a compromised or broken upstream push reaches production unreviewed.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Name a version in FROM (`FROM alpine:3.20`), ideally pinned by digest (`FROM alpine:3.20@sha256:...`).",
		workload.KindCompose:    "Set `image:` to a versioned tag or `name@sha256:...` digest.",
		workload.KindKubernetes: "Set the container's `image:` to a versioned tag or `name@sha256:...` digest.",
		workload.KindOCI:        "Record the pinned reference in the `org.opencontainers.image.ref.name` annotation.",
		workload.KindInspect:    "Run a versioned tag or a digest (`docker run name@sha256:...`).",
		workload.KindImage:      "Refer to the image by a version tag or digest (`ward tag IMAGE app:1.2.3`, `ward run app@sha256:...`).",
	},
	Equivalents: []string{"hadolint DL3006", "hadolint DL3007", "dockle DKL-DI-0006", "docker-bench 5.27"},
	Check:       checkImageNotPinned,
}

func checkImageNotPinned(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.Build != nil {
		var out []audit.Violation
		for _, b := range w.Build.Bases {
			if v, bad := unpinned(b.Image); bad {
				out = append(out, audit.Violation{Message: "FROM " + v + " in stage " + b.Stage, Line: b.Line})
			}
		}
		return out
	}
	if v, bad := unpinned(w.Image); bad {
		return []audit.Violation{{Message: "image " + v, Line: w.LineOf(workload.FieldImage)}}
	}
	return nil
}

// unpinned describes why ref is not pinned; references still holding an
// unresolved variable are left alone.
func unpinned(ref string) (string, bool) {
	if ref == "" || strings.Contains(ref, "$") || strings.HasPrefix(ref, "sha256:") {
		return "", false
	}
	r := workload.ParseImageRef(ref)
	switch {
	case r.Digest != "":
		return "", false
	case r.Tag == "":
		return quote(ref) + " has no tag (it means latest)", true
	case r.Tag == "latest":
		return quote(ref) + " uses the latest tag", true
	}
	return "", false
}
