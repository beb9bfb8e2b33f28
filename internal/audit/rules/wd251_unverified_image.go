package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// UnverifiedImage fires, for an image judged under a trust policy (ward
// check IMAGE with trust-policy in ward's config), when its manifest digest
// has no signature verification: the image-trust item from what was
// verified, not from the registry's name.
var UnverifiedImage = audit.Rule{
	ID:        "WD251",
	Checklist: audit.ImageTrust,
	Severity:  audit.High,
	Title:     "Image without a verified signature",
	Why:       "A registry's name says where an image came from, not who made it: a signature verified against a key or identity you trust is what shows the image is the one its publisher signed, and a tag moved since then is caught by its digest.",
	Fix: map[workload.Kind]string{
		workload.KindImage:   "Pull it under the trust policy (`ward pull` verifies), or sign it (`ward sign --local --key KEY`) and record it (`ward verify --local IMAGE`).",
		workload.KindInspect: "Run an image verified under the trust policy (`ward pull` verifies it).",
	},
	Equivalents: []string{"cosign verify", "podman's sigstoreSigned policy", "dockle CIS-DI-0005 (content trust)"},
	Check:       checkUnverifiedImage,
}

func checkUnverifiedImage(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if w.Trust == nil || w.Trust.Verified {
		return nil
	}
	msg := "image " + quote(w.Image) + " has no verified signature"
	if w.Trust.Refusal != "" {
		msg += ": " + w.Trust.Refusal
	}
	return []audit.Violation{{Message: msg, Line: w.LineOf(workload.FieldImage)}}
}
