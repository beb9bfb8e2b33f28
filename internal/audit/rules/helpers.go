package rules

import (
	"slices"
	"strconv"
	"strings"
)

func quote(s string) string { return strconv.Quote(s) }

// baselineCapabilities may be added under the Kubernetes Pod Security
// baseline profile: Docker's defaults without NET_RAW.
var baselineCapabilities = []string{
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

// beyond returns the members of set not in allowed, sorted.
func beyond(set, allowed []string) []string {
	var out []string
	for _, c := range set {
		if !slices.Contains(allowed, c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func join(xs []string) string { return strings.Join(xs, ", ") }
