package runspec

import (
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// UsernsMode is a parsed --userns.
type UsernsMode struct {
	Auto bool   // a user namespace of the container's own
	Size uint32 // ids in its range; 0 is the allocator's default
}

// ParseUserns reads --userns: "" or "host" (no user namespace), "auto"
// or "auto:size=N" (Podman's spelling).
func ParseUserns(v string) (UsernsMode, error) {
	switch {
	case v == "" || v == "host":
		return UsernsMode{}, nil
	case v == "auto":
		return UsernsMode{Auto: true}, nil
	case strings.HasPrefix(v, "auto:"):
		m := UsernsMode{Auto: true}
		for _, opt := range strings.Split(strings.TrimPrefix(v, "auto:"), ",") {
			k, val, _ := strings.Cut(opt, "=")
			if k != "size" {
				return m, fmt.Errorf("--userns %q: unknown option %q (ward knows size=N)", v, k)
			}
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil || n == 0 {
				return m, fmt.Errorf("--userns %q: size must be a positive number of ids", v)
			}
			m.Size = uint32(n)
		}
		return m, nil
	}
	return UsernsMode{}, fmt.Errorf("--userns %q: ward supports host and auto[:size=N]", v)
}

// checkUserns checks --userns against the other flags and the mappings
// the engine allocated.
func checkUserns(o Options) error {
	m, err := CheckUserns(o)
	if err != nil {
		return err
	}
	if !m.Auto && (len(o.UIDMappings) > 0 || len(o.GIDMappings) > 0) {
		return fmt.Errorf("id mappings without --userns auto")
	}
	if m.Auto && (len(o.UIDMappings) == 0 || len(o.GIDMappings) == 0) {
		return fmt.Errorf("--userns auto: no id range was allocated")
	}
	return nil
}

// CheckUserns parses --userns and refuses what cannot work in a user
// namespace of the container's own, as Docker does under userns-remap:
// sharing a host namespace (its /proc, /sys or mqueue cannot be mounted
// from inside) and --privileged (the host's devices, which the
// container's root could not use). The engine calls it before it
// allocates anything.
func CheckUserns(o Options) (UsernsMode, error) {
	m, err := ParseUserns(o.Userns)
	if err != nil || !m.Auto {
		return m, err
	}
	for _, c := range []struct {
		conflict bool
		flag     string
	}{
		{o.Privileged, "--privileged"},
		{o.Network == "host", "--network host"},
		{o.PID == "host", "--pid host"},
		{o.IPC == "host", "--ipc host"},
	} {
		if c.conflict {
			return m, fmt.Errorf("%s conflicts with --userns auto: the container's root would not hold the host's namespaces or devices; use --userns host", c.flag)
		}
	}
	return m, nil
}

// pingGroupRange is Docker's "every group may ping" for a user
// namespace: from 0 to the last gid mapped inside.
func pingGroupRange(m []specs.LinuxIDMapping) string {
	last := uint32(0)
	for _, e := range m {
		last = max(last, e.ContainerID+e.Size-1)
	}
	return fmt.Sprintf("0 %d", last)
}
