package engine

import (
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
)

// recordSecurity sets the record's security fields from the spec the
// runtime receives (or would receive), not from the flags a second time:
// `ward inspect` shows, and ward check's inspect reader judges, what
// runs. Where Docker records the flags as typed, ward records their
// effect: Config.User is the resolved "uid:gid" (a uid-0 alias reads as
// 0), CapAdd and CapDrop are the difference between the process's
// capabilities and Docker's default set, SecurityOpt is what the spec
// enforces (no-new-privileges, seccomp unconfined or a profile file).
// seccompFile is the --security-opt seccomp= profile the spec's filter
// came from, "" for Docker's default; own are the engine's own bind
// mounts (network files), left out of Mounts.
func recordSecurity(c *record.Container, s *specs.Spec, seccompFile string, own runspec.NetworkFiles) {
	hc := &c.HostConfig
	p := s.Process
	c.Config.User = strconv.FormatUint(uint64(p.User.UID), 10) + ":" + strconv.FormatUint(uint64(p.User.GID), 10)
	hc.Privileged = runspec.LooksPrivileged(s)
	hc.CapAdd, hc.CapDrop = nil, nil
	if !hc.Privileged {
		hc.CapAdd, hc.CapDrop = capabilityDelta(runspec.HeldCapabilities(p.Capabilities))
	}
	hc.ReadonlyRootfs = s.Root != nil && s.Root.Readonly
	hc.SecurityOpt = nil
	if p.NoNewPrivileges {
		hc.SecurityOpt = append(hc.SecurityOpt, "no-new-privileges")
	}
	if !hc.Privileged {
		switch {
		case runspec.SeccompAllowsAll(s.Linux.Seccomp):
			hc.SecurityOpt = append(hc.SecurityOpt, "seccomp=unconfined")
		case seccompFile != "":
			hc.SecurityOpt = append(hc.SecurityOpt, "seccomp="+seccompFile)
		}
	}
	if r := s.Linux.Resources; r != nil {
		if r.Memory != nil && r.Memory.Limit != nil {
			hc.Memory = *r.Memory.Limit
		}
		if r.Pids != nil && r.Pids.Limit != nil {
			limit := *r.Pids.Limit
			hc.PidsLimit = &limit
		}
	}
	c.Mounts = nil
	for _, m := range s.Mounts {
		if m.Type != "bind" && !slices.Contains(m.Options, "bind") && !slices.Contains(m.Options, "rbind") {
			continue
		}
		switch m.Source {
		case own.ResolvConf, own.Hostname, own.Hosts:
			continue // the engine's network files
		}
		if m.Source == "/dev/shm" && m.Destination == "/dev/shm" && hc.IpcMode == "host" {
			continue // the host's IPC namespace, which IpcMode says
		}
		mp := record.MountPoint{Type: "bind", Source: m.Source, Destination: m.Destination, RW: !slices.Contains(m.Options, "ro")}
		for _, o := range m.Options {
			if strings.HasSuffix(o, "private") || strings.HasSuffix(o, "shared") || strings.HasSuffix(o, "slave") {
				mp.Propagation = o
			}
		}
		if !mp.RW {
			mp.Mode = "ro"
		}
		c.Mounts = append(c.Mounts, mp)
	}
}

// capabilityDelta writes a capability set as Docker's flags would: when
// fewer than half of the defaults are left, CapDrop ALL and CapAdd the
// whole set; otherwise the defaults missing as CapDrop and what is beyond
// them as CapAdd. Read back by any inspect reader (defaults, drops, then
// adds) it gives the set again; ward check's OCI reader uses the same
// rule to tell "ALL dropped", so both word their findings alike.
func capabilityDelta(held []string) (add, drop []string) {
	kept := 0
	for _, c := range runspec.DefaultCapabilities {
		if slices.Contains(held, c) {
			kept++
		}
	}
	if 2*kept < len(runspec.DefaultCapabilities) {
		drop = []string{"ALL"}
		add = slices.Clone(held)
		slices.Sort(add)
		return add, drop
	}
	for _, c := range runspec.DefaultCapabilities {
		if !slices.Contains(held, c) {
			drop = append(drop, c)
		}
	}
	for _, c := range held {
		if !slices.Contains(runspec.DefaultCapabilities, c) {
			add = append(add, c)
		}
	}
	slices.Sort(add)
	slices.Sort(drop)
	return add, drop
}
