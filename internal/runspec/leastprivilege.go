package runspec

import (
	"fmt"
	"slices"

	"github.com/moby/sys/user"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Check validates every flag that can be judged without the image's
// root filesystem: syntax, the host's device nodes, namespaced sysctls,
// capabilities the kernel knows, the host's LSMs and the seccomp profile
// file. The engine calls it before it makes anything, so a bad flag
// leaves nothing behind; Build checks the same again.
func Check(o Options) error {
	host := o.Host
	if host == nil {
		var err error
		if host, err = probeHostWithoutDevices(); err != nil {
			return err
		}
	}
	sec, err := ParseSecurityOpts(o.SecurityOpt)
	if err != nil {
		return err
	}
	if _, err := linuxSecurityModules(sec, host); err != nil {
		return err
	}
	caps, err := Capabilities(o.CapAdd, o.CapDrop, o.Privileged, host)
	if err != nil {
		return err
	}
	if sec.Seccomp != "" && sec.Seccomp != "unconfined" && !o.Privileged {
		if err := CheckSeccompProfile(sec.Seccomp, caps); err != nil {
			return err
		}
	}
	_, err = leastPrivilege(o, host)
	return err
}

// privileges are what the least-privilege flags add to a spec.
type privileges struct {
	devices     []specs.LinuxDevice
	deviceRules []specs.LinuxDeviceCgroup
	sysctls     map[string]string
	cgroupNS    bool
	oomScoreAdj int
	oomKill     bool // true: --oom-kill-disable
}

// leastPrivilege parses the flags that grant one thing at a time: a
// device, a device-cgroup rule, a namespaced sysctl, a cgroup namespace,
// an OOM setting. --group-add needs the image and is resolved in Build.
func leastPrivilege(o Options, host *Host) (privileges, error) {
	p := privileges{sysctls: map[string]string{}, oomScoreAdj: o.OOMScoreAdj, oomKill: o.OOMKillDisable}
	for _, v := range o.Devices {
		d, err := ParseDevice(v)
		if err != nil {
			return p, err
		}
		devs, rules, err := hostDevice(d)
		if err != nil {
			return p, err
		}
		p.devices = append(p.devices, devs...)
		p.deviceRules = append(p.deviceRules, rules...)
	}
	for _, v := range o.DeviceCgroupRules {
		r, err := ParseDeviceCgroupRule(v)
		if err != nil {
			return p, err
		}
		p.deviceRules = append(p.deviceRules, r)
	}
	for _, v := range o.Sysctls {
		k, val, err := ParseSysctl(v, o)
		if err != nil {
			return p, err
		}
		p.sysctls[k] = val
	}
	switch o.CgroupNS {
	case "":
		// Docker's default: private where the host is cgroup v2 only,
		// the host's on cgroup v1 and hybrid hosts.
		p.cgroupNS = host.CgroupUnified
	case "private":
		p.cgroupNS = true
	case "host":
	default:
		return p, fmt.Errorf("--cgroupns %q: want private or host", o.CgroupNS)
	}
	if o.OOMScoreAdj < -1000 || o.OOMScoreAdj > 1000 {
		return p, fmt.Errorf("--oom-score-adj %d: out of range [-1000, 1000]", o.OOMScoreAdj)
	}
	if o.OOMScoreAdj < 0 && !contains(host.Capabilities, "CAP_SYS_RESOURCE") {
		return p, fmt.Errorf("--oom-score-adj %d: lowering it needs CAP_SYS_RESOURCE, which this host cannot grant", o.OOMScoreAdj)
	}
	return p, nil
}

// apply writes the parsed privileges into s. As Docker, --privileged
// already has every host device and allows all, so --device and
// --device-cgroup-rule change nothing then.
func (p privileges) apply(s *specs.Spec, privileged bool) {
	if !privileged {
		s.Linux.Devices = append(s.Linux.Devices, p.devices...)
		s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, p.deviceRules...)
	}
	for k, v := range p.sysctls {
		s.Linux.Sysctl[k] = v // over Docker's own defaults, as Docker does
	}
	if p.cgroupNS {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	}
	adj := p.oomScoreAdj
	s.Process.OOMScoreAdj = &adj
	if p.oomKill {
		disable := true
		s.Linux.Resources.Memory.DisableOOMKiller = &disable
	}
}

// AdditionalGroups resolves --group-add values against the root's
// /etc/group as Docker does, with the same library: numbers are taken as
// they are, names must exist. They come sorted; Build puts them after the
// user's own groups, each once.
func AdditionalGroups(files Files, groups []string) ([]uint32, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	group, err := optionalFile(files, "/etc/group")
	if err != nil {
		return nil, fmt.Errorf("--group-add: %w", err)
	}
	gids, err := user.GetAdditionalGroups(groups, group)
	if err != nil {
		return nil, fmt.Errorf("--group-add %v: %w", groups, err)
	}
	slices.Sort(gids)
	out := make([]uint32, len(gids))
	for i, g := range gids {
		out[i] = uint32(g)
	}
	return out, nil
}
