package rules

import (
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// FullDistributionBase fires when the final image derives from a full
// distribution (or a language image built on one) rather than a minimal base.
var FullDistributionBase = audit.Rule{
	ID:        "WD200",
	Checklist: audit.MinimalImage,
	Severity:  audit.Low,
	Title:     "Final image based on a full distribution",
	Why:       "A full distribution ships a shell, a package manager and hundreds of packages the program never uses: each is attack surface and a source of scanner findings. Build in a full image, run from alpine, distroless, scratch, busybox or a -slim variant.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Use a multi-stage build whose final `FROM` is minimal: `gcr.io/distroless/static`, `scratch`, `alpine:3.20` or a `-slim` variant.",
		workload.KindImage:      "Rebuild with a multi-stage Dockerfile whose final `FROM` is minimal (`gcr.io/distroless/static`, `scratch`, `alpine:3.20`, a `-slim` variant), so no package manager ships.",
	},
	Equivalents: []string{},
	Check:       checkFullDistributionBase,
}

// fullDistributions are repositories (last path element) that are full
// distributions or language images built on one, unless a minimal variant
// tag (alpine, slim, minimal, micro...) says otherwise.
var fullDistributions = []string{
	"ubuntu", "debian", "centos", "fedora", "rockylinux", "almalinux", "amazonlinux",
	"oraclelinux", "archlinux", "opensuse", "leap", "tumbleweed", "ubi", "ubi8", "ubi9", "ubi10",
	"buildpack-deps", "python", "node", "golang", "ruby", "php", "perl", "openjdk",
	"eclipse-temurin", "maven", "gradle", "rust", "gcc", "elixir", "erlang", "haskell", "dotnet-sdk", "sdk",
}

var minimalMarkers = []string{"alpine", "slim", "distroless", "scratch", "busybox", "minimal", "micro", "chiseled", "static", "wolfi", "chainguard"}

// fullDistroIDs are os-release IDs of full distributions: an image built on
// one that still carries its package manager was not slimmed down.
var fullDistroIDs = []string{
	"debian", "ubuntu", "centos", "fedora", "rhel", "rocky", "almalinux", "amzn",
	"ol", "opensuse-leap", "opensuse-tumbleweed", "sles", "arch",
}

func checkFullDistributionBase(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if c := w.Content; c != nil {
		// An image's base shows in its files, not its name: a full
		// distribution's os-release with its package manager still in
		// place. Distroless images carry Debian's os-release but no
		// package manager; -slim variants are judged by their tag.
		if !slices.Contains(fullDistroIDs, c.Distro) || c.PackageManager == "" || hasMinimalMarker(w.Image) {
			return nil
		}
		name := c.DistroName
		if name == "" {
			name = c.Distro
		}
		return []audit.Violation{{Message: "the image is " + name + " with its package manager (" + c.PackageManager + "): a full distribution"}}
	}
	if w.Build == nil || w.Build.FinalBase == "" || strings.Contains(w.Build.FinalBase, "$") {
		return nil // scratch, or not known
	}
	r := workload.ParseImageRef(w.Build.FinalBase)
	if hasMinimalMarker(w.Build.FinalBase) {
		return nil
	}
	if !slices.Contains(fullDistributions, strings.ToLower(r.Name())) {
		return nil
	}
	return []audit.Violation{{Message: "the final image derives from " + quote(w.Build.FinalBase) + ", a full distribution", Line: w.Build.FinalBaseLine}}
}

// hasMinimalMarker reports whether an image reference names a minimal
// variant (alpine, slim, distroless...).
func hasMinimalMarker(ref string) bool {
	if ref == "" {
		return false
	}
	r := workload.ParseImageRef(ref)
	whole := strings.ToLower(r.Repository + ":" + r.Tag)
	for _, m := range minimalMarkers {
		if strings.Contains(whole, m) {
			return true
		}
	}
	return false
}
