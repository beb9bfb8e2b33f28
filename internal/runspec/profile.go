package runspec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/learnprofile"
)

// applyProfile turns a learned profile (`ward run --profile`) into the
// flags with the same effect, under the flags given on the command line:
// --cap-drop ALL plus the profile's capabilities (a --cap-drop on the
// command line removes one, a --cap-add adds one), the profile's user
// unless --user, a read-only root, a tmpfs per writable path unless a
// --tmpfs names the same destination, and the profile's seccomp
// allow-list unless --security-opt seccomp= is given. It returns the
// seccomp profile to load instead of Docker's default ("" for none), in
// o.ProfileMode (log: the calls outside the profile are let through and
// logged; see learnprofile.SeccompFor).
func applyProfile(o Options) (Options, string, error) {
	p := o.Profile
	if p == nil {
		if o.ProfileMode != "" {
			return o, "", fmt.Errorf("--profile-mode %s: give --profile", o.ProfileMode)
		}
		return o, "", nil
	}
	sec, err := p.SeccompFor(o.ProfileMode)
	if err != nil {
		return o, "", fmt.Errorf("--profile-mode: %w", err)
	}
	var caps []string
	for _, c := range p.Capabilities {
		if !slices.ContainsFunc(o.CapDrop, func(d string) bool { return sameCap(c, d) }) {
			caps = append(caps, c)
		}
	}
	o.CapAdd = append(caps, o.CapAdd...)
	o.CapDrop = append([]string{"ALL"}, o.CapDrop...)
	if o.User == "" {
		o.User = p.User
	}
	if p.ReadOnlyRoot {
		o.ReadOnly = true
	}
	var tmpfs []string
	for _, w := range p.WritablePaths {
		if !slices.ContainsFunc(o.Tmpfs, func(t string) bool { dest, _, _ := strings.Cut(t, ":"); return dest == w.Path }) {
			tmpfs = append(tmpfs, w.Path+":"+w.TmpfsOptions())
		}
	}
	o.Tmpfs = append(tmpfs, o.Tmpfs...)
	return o, string(sec), nil
}

func sameCap(a, b string) bool {
	na, err1 := NormalizeCapability(a)
	nb, err2 := NormalizeCapability(b)
	return err1 == nil && err2 == nil && (na == nb || nb == allCapabilities)
}

// profileOption is the Options field a learned profile travels in.
type profileOption = *learnprofile.Profile
