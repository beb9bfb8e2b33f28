package engine

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
)

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestCapabilityDelta(t *testing.T) {
	defaults := slices.Clone(runspec.DefaultCapabilities)
	without := func(drop string) []string {
		return slices.DeleteFunc(slices.Clone(defaults), func(c string) bool { return c == drop })
	}
	for _, tc := range []struct {
		name      string
		held      []string
		add, drop []string
	}{
		{"docker's defaults", defaults, nil, nil},
		{"nothing", nil, nil, []string{"ALL"}},
		{"only beyond the defaults", []string{"CAP_SYS_ADMIN"}, []string{"CAP_SYS_ADMIN"}, []string{"ALL"}},
		{"one default left", []string{"CAP_CHOWN"}, []string{"CAP_CHOWN"}, []string{"ALL"}},
		{"half the defaults left", defaults[:7], nil, sorted(defaults[7:])},
		{"all but NET_RAW", append(without("CAP_NET_RAW"), "CAP_SYS_ADMIN", "CAP_BPF"), []string{"CAP_BPF", "CAP_SYS_ADMIN"}, []string{"CAP_NET_RAW"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			add, drop := capabilityDelta(tc.held)
			if !slices.Equal(add, tc.add) || !slices.Equal(drop, tc.drop) {
				t.Errorf("capabilityDelta(%v) = add %v, drop %v; want add %v, drop %v", tc.held, add, drop, tc.add, tc.drop)
			}
		})
	}
}

// The record's security fields are what the spec says, whatever the
// flags were: a uid-0 alias reads as 0:0, no-new-privileges set by any
// spelling reads as no-new-privileges, a filter that allows everything
// reads as seccomp=unconfined, the engine's own network files are not
// among the mounts.
func TestRecordSecurity(t *testing.T) {
	own := runspec.NetworkFiles{Hosts: "/r/c/hosts", Hostname: "/r/c/hostname", ResolvConf: "/r/c/resolv.conf"}
	limit, pids := int64(64<<20), int64(50)
	s := &specs.Spec{
		Root: &specs.Root{Path: "rootfs", Readonly: true},
		Process: &specs.Process{
			User:            specs.User{UID: 0, GID: 0},
			NoNewPrivileges: true,
			Capabilities:    &specs.LinuxCapabilities{Bounding: []string{"CAP_NET_BIND_SERVICE"}},
		},
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/etc/hosts", Type: "bind", Source: own.Hosts, Options: []string{"rbind", "rprivate"}},
			{Destination: "/data", Type: "bind", Source: "/srv/data", Options: []string{"rbind", "ro", "rprivate"}},
		},
		Linux: &specs.Linux{
			MaskedPaths: runspec.MaskedPaths,
			Seccomp:     &specs.LinuxSeccomp{DefaultAction: specs.ActAllow},
			Resources:   &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit}, Pids: &specs.LinuxPids{Limit: &pids}},
		},
	}
	c := &record.Container{Config: record.Config{User: "toor"}, HostConfig: record.HostConfig{CapAdd: []string{"bogus"}, SecurityOpt: []string{"no-new-privileges=1"}}}
	recordSecurity(c, s, "", own)
	hc := c.HostConfig
	if c.Config.User != "0:0" || hc.Privileged || !hc.ReadonlyRootfs {
		t.Errorf("user %q, privileged %v, read-only %v", c.Config.User, hc.Privileged, hc.ReadonlyRootfs)
	}
	if !slices.Equal(hc.CapDrop, []string{"ALL"}) || !slices.Equal(hc.CapAdd, []string{"CAP_NET_BIND_SERVICE"}) {
		t.Errorf("CapAdd %v, CapDrop %v", hc.CapAdd, hc.CapDrop)
	}
	if !slices.Equal(hc.SecurityOpt, []string{"no-new-privileges", "seccomp=unconfined"}) {
		t.Errorf("SecurityOpt %v", hc.SecurityOpt)
	}
	if hc.Memory != limit || hc.PidsLimit == nil || *hc.PidsLimit != pids {
		t.Errorf("Memory %d, PidsLimit %v", hc.Memory, hc.PidsLimit)
	}
	if len(c.Mounts) != 1 || c.Mounts[0] != (record.MountPoint{Type: "bind", Source: "/srv/data", Destination: "/data", Mode: "ro", Propagation: "rprivate"}) {
		t.Errorf("Mounts %+v", c.Mounts)
	}

	// Privileged is recognised from the spec: SYS_ADMIN and nothing masked.
	s.Linux.MaskedPaths = nil
	s.Process.Capabilities.Bounding = []string{"CAP_SYS_ADMIN", "CAP_CHOWN"}
	recordSecurity(c, s, "", own)
	if !c.HostConfig.Privileged || c.HostConfig.CapAdd != nil || slices.Contains(c.HostConfig.SecurityOpt, "seccomp=unconfined") {
		t.Errorf("privileged spec: %+v", c.HostConfig)
	}
}
