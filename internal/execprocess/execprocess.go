// Package execprocess is the process `ward-runtime exec` starts, as runc
// builds it: read whole from a process.json (--process), or the
// container's own process with exec's flags laid over it (arguments,
// terminal, environment, working directory, user, groups, capabilities,
// no_new_privs).
package execprocess

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/envvar"
)

// Overrides are exec's flags: what differs from the container's process.
type Overrides struct {
	Args     []string
	Terminal bool
	Env      []string // KEY=VALUE, merged over the process's
	Cwd      string   // "" keeps the process's
	User     string   // UID[:GID], numeric; "" keeps the process's
	// AdditionalGids are added to the process's supplementary groups.
	AdditionalGids []int
	// Caps are added to every capability set, ambient included.
	Caps            []string
	NoNewPrivileges bool
}

// Of is the process exec starts in the container id under the runtime's
// state directory root: the process file when one is named, else the
// container's own process with o laid over it.
func Of(root, id, file string, o Overrides) (*specs.Process, error) {
	if file != "" {
		return Read(file)
	}
	st, err := container.Load(root, id)
	if err != nil {
		return nil, err
	}
	spec, err := st.Spec()
	if err != nil {
		return nil, err
	}
	p := spec.Process
	if err := Apply(p, o); err != nil {
		return nil, err
	}
	return p, nil
}

// Read reads a process.json (runtime-spec's process).
func Read(path string) (*specs.Process, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read process file: %w", err)
	}
	p := &specs.Process{}
	if err := json.Unmarshal(data, p); err != nil {
		return nil, fmt.Errorf("parse process file %s: %w", path, err)
	}
	return p, nil
}

// Apply lays o over p, the container's process, which it changes.
func Apply(p *specs.Process, o Overrides) error {
	p.Args = o.Args
	p.Terminal = o.Terminal
	p.ConsoleSize = nil
	p.Env = envvar.Merge(p.Env, o.Env)
	if o.Cwd != "" {
		p.Cwd = o.Cwd
	}
	if o.User != "" {
		u, err := ParseUser(o.User)
		if err != nil {
			return err
		}
		p.User = u
	}
	for _, g := range o.AdditionalGids {
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g))
	}
	if len(o.Caps) > 0 {
		if p.Capabilities == nil {
			p.Capabilities = &specs.LinuxCapabilities{}
		}
		c := p.Capabilities
		c.Bounding = append(c.Bounding, o.Caps...)
		c.Effective = append(c.Effective, o.Caps...)
		c.Permitted = append(c.Permitted, o.Caps...)
		c.Inheritable = append(c.Inheritable, o.Caps...)
		c.Ambient = append(c.Ambient, o.Caps...)
	}
	if o.NoNewPrivileges {
		p.NoNewPrivileges = true
	}
	return nil
}

// ParseUser reads exec's --user: a numeric UID[:GID], as runc takes it
// (the runtime reads no passwd file of the container).
func ParseUser(s string) (specs.User, error) {
	uidS, gidS, hasGid := strings.Cut(s, ":")
	uid, err := strconv.ParseUint(uidS, 10, 32)
	if err != nil {
		return specs.User{}, fmt.Errorf("invalid --user %q: want numeric UID[:GID]", s)
	}
	u := specs.User{UID: uint32(uid)}
	if hasGid {
		gid, err := strconv.ParseUint(gidS, 10, 32)
		if err != nil {
			return specs.User{}, fmt.Errorf("invalid --user %q: want numeric UID[:GID]", s)
		}
		u.GID = uint32(gid)
	}
	return u, nil
}
