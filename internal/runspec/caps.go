package runspec

import (
	"fmt"
	"strings"

	"github.com/moby/sys/capability"
)

// DefaultCapabilities are Docker's 14, in Docker's order.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

const allCapabilities = "ALL"

// NormalizeCapability spells a --cap-add/--cap-drop value as Docker does:
// upper case with the CAP_ prefix, or ALL. An unknown name is an error
// naming it.
func NormalizeCapability(name string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(name))
	if c == allCapabilities {
		return c, nil
	}
	if !strings.HasPrefix(c, "CAP_") {
		c = "CAP_" + c
	}
	for _, k := range capability.ListKnown() {
		if capName(k) == c {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown capability %q", name)
}

// Capabilities computes the capability list as Docker's TweakCapabilities
// does: --privileged or --cap-add ALL give every capability (here: every
// one the host can grant, minus --cap-drop for ALL); --cap-drop ALL keeps
// only --cap-add; otherwise the defaults minus the drops plus the adds.
// An explicitly added capability the host cannot grant is an error.
func Capabilities(add, drop []string, privileged bool, host *Host) ([]string, error) {
	if privileged {
		return append([]string(nil), host.Capabilities...), nil
	}
	adds, err := normalizeAll("--cap-add", add)
	if err != nil {
		return nil, err
	}
	drops, err := normalizeAll("--cap-drop", drop)
	if err != nil {
		return nil, err
	}
	if err := kernelKnows("--cap-add", adds, host.LastCap); err != nil {
		return nil, err
	}
	if err := kernelKnows("--cap-drop", drops, host.LastCap); err != nil {
		return nil, err
	}
	var out []string
	switch {
	case contains(adds, allCapabilities):
		for _, c := range host.Capabilities {
			if !contains(drops, c) {
				out = append(out, c)
			}
		}
		return out, nil
	case contains(drops, allCapabilities):
	default:
		for _, c := range DefaultCapabilities {
			if !contains(drops, c) {
				out = append(out, c)
			}
		}
	}
	for _, c := range adds {
		if !contains(host.Capabilities, c) {
			return nil, fmt.Errorf("--cap-add: this host cannot grant %s (it is not in ward's bounding set)", c)
		}
		// Docker would list a default capability twice; once is enough.
		if !contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

func normalizeAll(flag string, names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		c, err := NormalizeCapability(n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// kernelKnows checks that the running kernel has every named capability:
// ward's capability list may be newer than the kernel (CAP_BPF came with
// 5.8), and a capability the kernel lacks can be neither granted nor
// dropped. last 0 means unknown.
func kernelKnows(flag string, names []string, last capability.Cap) error {
	if last == 0 {
		return nil
	}
	for _, n := range names {
		if n == allCapabilities {
			continue
		}
		for _, c := range capability.ListKnown() {
			if capName(c) == n && c > last {
				return fmt.Errorf("%s %s: this host's kernel does not know it (its last capability is %s)", flag, n, capName(last))
			}
		}
	}
	return nil
}
