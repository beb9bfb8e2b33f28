// Package capability turns the capability names of an OCI config into the
// five kernel sets and applies them to the calling thread.
//
// Names carry the CAP_ prefix, as the runtime-spec says. Unlike runc, which
// logs and drops a name it does not know, an unknown name is an error: a
// typo in a capability list must not silently weaken or change a container.
package capability

import (
	"fmt"
	"slices"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// byName maps "CAP_NET_RAW" to its kernel number, for every capability
// this library knows of.
var byName = func() map[string]capability.Cap {
	m := make(map[string]capability.Cap)
	for _, c := range capability.ListKnown() {
		m["CAP_"+strings.ToUpper(c.String())] = c
	}
	return m
}()

// Sets holds the five capability sets of one process, resolved to numbers.
type Sets struct {
	Bounding, Effective, Permitted, Inheritable, Ambient []capability.Cap
}

// Parse resolves every name in caps; an unknown name is an error naming it
// and the set it appeared in. A nil caps means "no capabilities at all".
func Parse(caps *specs.LinuxCapabilities) (*Sets, error) {
	s := &Sets{}
	if caps == nil {
		return s, nil
	}
	for _, set := range []struct {
		name  string
		names []string
		out   *[]capability.Cap
	}{
		{"bounding", caps.Bounding, &s.Bounding},
		{"effective", caps.Effective, &s.Effective},
		{"permitted", caps.Permitted, &s.Permitted},
		{"inheritable", caps.Inheritable, &s.Inheritable},
		{"ambient", caps.Ambient, &s.Ambient},
	} {
		for _, n := range set.names {
			c, ok := byName[strings.ToUpper(n)]
			if !ok {
				return nil, fmt.Errorf("unknown capability %q in the %s set", n, set.name)
			}
			*set.out = append(*set.out, c)
		}
	}
	return s, nil
}

// SkipUnraisableAmbient removes from the ambient set every capability
// that is not also in the inheritable set, and returns their names. The
// kernel raises an ambient capability only when it is inheritable
// (PR_CAP_AMBIENT_RAISE fails with EPERM otherwise), and runc starts the
// process without those, silently: `runc spec`'s own default config.json
// asks for three ambient capabilities and no inheritable ones. ward-runtime
// follows runc, and its caller logs the names it returns. This is the one
// place where the sets do not come out exactly as config.json asks.
func (s *Sets) SkipUnraisableAmbient() []string {
	var skipped []string
	kept := s.Ambient[:0:0]
	for _, c := range s.Ambient {
		if slices.Contains(s.Inheritable, c) {
			kept = append(kept, c)
		} else {
			skipped = append(skipped, Name(c))
		}
	}
	s.Ambient = kept
	return skipped
}

// Name returns the CAP_-prefixed name of c.
func Name(c capability.Cap) string { return "CAP_" + strings.ToUpper(c.String()) }

// CheckGrantable returns an error naming the first capability asked for in
// the effective, permitted, inheritable or ambient set that the host
// cannot grant, because it is missing from this process's bounding set
// (on a host without CAP_SYS_RESOURCE, that one). The bounding set itself
// is exempt: it can only shrink, so an unavailable capability there is
// simply absent, as with runc.
func (s *Sets) CheckGrantable() error {
	self, err := capability.NewPid2(0)
	if err != nil {
		return fmt.Errorf("read own capabilities: %w", err)
	}
	if err := self.Load(); err != nil {
		return fmt.Errorf("read own capabilities: %w", err)
	}
	for _, set := range []struct {
		name string
		caps []capability.Cap
	}{
		{"effective", s.Effective}, {"permitted", s.Permitted},
		{"inheritable", s.Inheritable}, {"ambient", s.Ambient},
	} {
		for _, c := range set.caps {
			if !self.Get(capability.BOUNDING, c) {
				return fmt.Errorf("capability %s in the %s set cannot be granted: this host does not hold it (it is not in the runtime's bounding set)", Name(c), set.name)
			}
		}
	}
	return nil
}

// DropBounding removes from the calling thread's bounding set every
// capability not in s.Bounding. It needs CAP_SETPCAP, so it runs before the
// identity switch.
func (s *Sets) DropBounding() error {
	// Every set is written whole, so nothing is read first: /proc may not
	// be mounted (a container without a mount namespace is only chrooted).
	c, err := capability.NewPid2(0)
	if err != nil {
		return err
	}
	c.Clear(capability.BOUNDING)
	c.Set(capability.BOUNDING, s.Bounding...)
	if err := c.Apply(capability.BOUNDS); err != nil {
		return fmt.Errorf("drop bounding capabilities: %w", err)
	}
	return nil
}

// Apply sets the effective, permitted and inheritable sets of the calling
// thread, then raises the ambient ones. It runs after the identity switch
// (with PR_SET_KEEPCAPS held across it), on the thread that will exec.
func (s *Sets) Apply() error {
	c, err := capability.NewPid2(0)
	if err != nil {
		return err
	}
	c.Clear(capability.CAPS | capability.AMBS)
	c.Set(capability.EFFECTIVE, s.Effective...)
	c.Set(capability.PERMITTED, s.Permitted...)
	c.Set(capability.INHERITABLE, s.Inheritable...)
	c.Set(capability.AMBIENT, s.Ambient...)
	if err := c.Apply(capability.CAPS); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	if err := c.Apply(capability.AMBS); err != nil {
		return fmt.Errorf("raise ambient capabilities: %w", err)
	}
	return nil
}

// Known lists every capability name this runtime accepts, for `features`.
func Known() []string {
	var out []string
	for _, c := range capability.ListKnown() {
		out = append(out, Name(c))
	}
	return out
}
