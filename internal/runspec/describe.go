package runspec

import (
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// HeldCapabilities is every capability the process can hold: the union
// of the spec's five sets. The bounding set bounds what an execve (of a
// setuid binary, a file with capabilities) can raise; the others are what
// the process starts with.
func HeldCapabilities(c *specs.LinuxCapabilities) []string {
	if c == nil {
		return nil
	}
	var out []string
	for _, set := range [][]string{c.Bounding, c.Effective, c.Permitted, c.Inheritable, c.Ambient} {
		for _, name := range set {
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// LooksPrivileged tells a spec that --privileged built, from what it
// grants rather than from the flag: CAP_SYS_ADMIN within reach and
// nothing of /proc or /sys masked or read-only.
func LooksPrivileged(s *specs.Spec) bool {
	if s.Process == nil || s.Linux == nil {
		return false
	}
	return slices.Contains(HeldCapabilities(s.Process.Capabilities), "CAP_SYS_ADMIN") &&
		len(s.Linux.MaskedPaths) == 0 && len(s.Linux.ReadonlyPaths) == 0
}

// SeccompAllowsAll tells a seccomp section that filters nothing: none at
// all, or one whose default action and every rule allow.
func SeccompAllowsAll(s *specs.LinuxSeccomp) bool {
	if s == nil {
		return true
	}
	if s.DefaultAction != specs.ActAllow {
		return false
	}
	for _, sc := range s.Syscalls {
		if sc.Action != specs.ActAllow {
			return false
		}
	}
	return true
}
