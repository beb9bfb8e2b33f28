package rules

import (
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// UntrustedRegistry fires, when trusted registries are configured
// (.ward.yaml trusted-registries), on images from anywhere else.
var UntrustedRegistry = audit.Rule{
	ID:        "WD250",
	Checklist: audit.ImageTrust,
	Severity:  audit.Medium,
	Title:     "Image from an untrusted registry",
	Why:       "Images from registries outside your control can change owner, be typo-squatted or be replaced; pulling only from vetted registries (or mirrors) is what makes scanning and signing mean something.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Base the image on one mirrored into a trusted registry (`FROM registry.example.com/base/alpine:3.20`).",
		workload.KindCompose:    "Set `image:` to a reference in a trusted registry.",
		workload.KindKubernetes: "Set the container's `image:` to a reference in a trusted registry.",
		workload.KindInspect:    "Run an image from a trusted registry.",
		workload.KindImage:      "Pull the image from a trusted registry (mirror it there and `ward pull registry.example.com/...`).",
	},
	Equivalents: []string{"dockle CIS-DI-0005 (content trust)"},
	Check:       checkUntrustedRegistry,
}

func checkUntrustedRegistry(w *workload.Workload, s audit.Settings) []audit.Violation {
	if len(s.TrustedRegistries) == 0 {
		return nil
	}
	if w.Trust != nil && w.Trust.Verified {
		return nil // a verified signature answers image trust (WD251)
	}
	var out []audit.Violation
	check := func(ref string, line int) {
		if ref == "" || strings.Contains(ref, "$") || trusted(ref, s.TrustedRegistries) {
			return
		}
		out = append(out, audit.Violation{Message: "image " + quote(ref) + " is not from a trusted registry", Line: line})
	}
	if w.Build != nil {
		for _, b := range w.Build.Bases {
			check(b.Image, b.Line)
		}
		return out
	}
	check(w.Image, w.LineOf(workload.FieldImage))
	return out
}

// trusted reports whether ref lies under one of the prefixes, matched on
// path boundaries: "ghcr.io/org" trusts "ghcr.io/org/app", not "ghcr.io/organ".
func trusted(ref string, prefixes []string) bool {
	r := workload.ParseImageRef(ref)
	full := r.Registry + "/" + r.Repository
	for _, p := range prefixes {
		p = strings.TrimSuffix(p, "/")
		if full == p || strings.HasPrefix(full, p+"/") {
			return true
		}
	}
	return false
}
