package rules

import (
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// PackageCacheLeft fires on package installs that leave the package
// manager's cache in the layer.
var PackageCacheLeft = audit.Rule{
	ID:        "WD241",
	Checklist: audit.ImageHygiene,
	Severity:  audit.Low,
	Title:     "Package manager cache left in the image",
	Why:       "Package indexes and downloaded archives add tens of megabytes to every image built on the layer and keep stale metadata that confuses scanners.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "In the same RUN: `apt-get install ... && rm -rf /var/lib/apt/lists/*`; `apk add --no-cache`; `dnf/yum install ... && dnf/yum clean all`; `pip install --no-cache-dir`; or use `RUN --mount=type=cache`.",
	},
	Equivalents: []string{"hadolint DL3009", "hadolint DL3019", "hadolint DL3032", "hadolint DL3042", "dockle DKL-DI-0004", "dockle DKL-DI-0005"},
	Check:       eachInstruction(cacheLeft),
}

var (
	aptInstall = shellWord(`apt(-get)? +(-\S+ +)*install`)
	apkAdd     = shellWord(`apk +(-\S+ +)*add`)
	yumInstall = shellWord(`(yum|dnf|microdnf) +(-\S+ +)*install`)
	pipInstall = shellWord(`pip3? +(-\S+ +)*install`)
)

func cacheLeft(in workload.Instruction) string {
	if in.Command != "run" || strings.Contains(in.Args, "type=cache") {
		return ""
	}
	a := in.Args
	switch {
	case aptInstall.MatchString(a) && !strings.Contains(a, "/var/lib/apt/lists"):
		return "apt-get install without removing /var/lib/apt/lists in the same RUN"
	case apkAdd.MatchString(a) && !strings.Contains(a, "--no-cache") && !strings.Contains(a, "/var/cache/apk"):
		return "apk add without --no-cache"
	case yumInstall.MatchString(a) && !strings.Contains(a, "clean all") && !strings.Contains(a, "/var/cache/"):
		return "yum/dnf install without clean all in the same RUN"
	case pipInstall.MatchString(a) && !strings.Contains(a, "--no-cache-dir") && !strings.Contains(a, "PIP_NO_CACHE_DIR"):
		return "pip install without --no-cache-dir"
	}
	return ""
}
