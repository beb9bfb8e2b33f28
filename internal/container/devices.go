package container

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func rule(typ string, major, minor int64, access string) specs.LinuxDeviceCgroup {
	r := specs.LinuxDeviceCgroup{Allow: true, Type: typ, Access: access}
	if major >= 0 {
		r.Major = &major
	}
	if minor >= 0 {
		r.Minor = &minor
	}
	return r
}

// defaultAllowedDevices are the device cgroup rules every container gets
// after its spec's own, as runc 1.1 adds them: the nodes the runtime
// creates (null, zero, full, random, urandom, tty), ptys, mknod of any
// node (using one still needs a rule of its own), and the tun/tap clone
// device, /dev/net/tun (c 10:200): Docker 20.10 relies on runc for it, so
// that a container may `mknod /dev/net/tun c 10 200` and open it (making
// an interface with it still needs CAP_NET_ADMIN in the container's own
// network namespace).
var defaultAllowedDevices = []specs.LinuxDeviceCgroup{
	rule("c", -1, -1, "m"), rule("b", -1, -1, "m"),
	rule("c", 1, 3, "rwm"), rule("c", 1, 8, "rwm"), rule("c", 1, 7, "rwm"),
	rule("c", 5, 0, "rwm"), rule("c", 1, 5, "rwm"), rule("c", 1, 9, "rwm"),
	rule("c", 136, -1, "rwm"), rule("c", 5, 2, "rwm"),
	rule("c", 10, 200, "rwm"),
}

// effectiveResources returns the spec's resources with the device rules
// the container needs to use its own devices appended: the defaults, and
// an allow rule for each device in linux.devices.
func effectiveResources(s *specs.Spec) *specs.LinuxResources {
	r := specs.LinuxResources{}
	if s.Linux.Resources != nil {
		r = *s.Linux.Resources
	}
	devs := append([]specs.LinuxDeviceCgroup{}, r.Devices...)
	devs = append(devs, defaultAllowedDevices...)
	for _, d := range s.Linux.Devices {
		typ := d.Type
		if typ == "u" {
			typ = "c"
		}
		if typ == "p" {
			continue // fifos are not governed by the device cgroup
		}
		devs = append(devs, rule(typ, d.Major, d.Minor, "rwm"))
	}
	r.Devices = devs
	return &r
}
