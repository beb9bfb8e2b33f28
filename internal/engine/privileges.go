package engine

import (
	"cmp"
	"strings"

	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
)

// DeviceMapping is one --device in inspect's spelling.
type DeviceMapping = runspec.DeviceMapping

// recordPrivileges checks the least-privilege flags before anything is
// made (runspec.Check: device nodes, sysctls, LSMs, the seccomp profile)
// and records them in HostConfig as Docker's inspect shows them.
func recordPrivileges(hc *record.HostConfig, o runspec.Options) error {
	if err := runspec.Check(o); err != nil {
		return err
	}
	for _, v := range o.Devices {
		d, err := runspec.ParseDevice(v)
		if err != nil {
			return err
		}
		hc.Devices = append(hc.Devices, d)
	}
	hc.DeviceCgroupRules = o.DeviceCgroupRules
	hc.GroupAdd = o.GroupAdd
	for _, v := range o.Sysctls {
		k, val, _ := strings.Cut(v, "=")
		if hc.Sysctls == nil {
			hc.Sysctls = map[string]string{}
		}
		hc.Sysctls[k] = val
	}
	hc.CgroupnsMode = cmp.Or(o.CgroupNS, runspec.DefaultCgroupNS())
	hc.OomScoreAdj = o.OOMScoreAdj
	hc.OomKillDisable = o.OOMKillDisable
	if o.Init {
		hc.Init = &o.Init
	}
	return nil
}
