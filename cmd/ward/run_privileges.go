package main

import (
	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/runspec"
)

// registerLeastPrivilege declares the flags that grant one device, one
// group, one kernel parameter at a time, so --privileged is not the only
// tool (runspec parses them).
func registerLeastPrivilege(fl *pflag.FlagSet, o *runspec.Options) {
	fl.StringArrayVar(&o.Devices, "device", nil, "add a host device: HOST[:CONTAINER][:PERMISSIONS], permissions r, w, m")
	fl.StringArrayVar(&o.DeviceCgroupRules, "device-cgroup-rule", nil, "allow a device in the device cgroup: 'TYPE MAJOR:MINOR ACCESS', e.g. 'c 10:229 rwm'")
	fl.StringArrayVar(&o.GroupAdd, "group-add", nil, "add a supplementary group: NAME (from the image's /etc/group) or GID")
	fl.StringArrayVar(&o.Sysctls, "sysctl", nil, "set a namespaced kernel parameter: KEY=VALUE (net.*, fs.mqueue.*, kernel.msg*, kernel.sem, kernel.shm*)")
	fl.StringVar(&o.CgroupNS, "cgroupns", "", "cgroup namespace: private or host (default: host on cgroup v1, private on v2)")
	fl.IntVar(&o.OOMScoreAdj, "oom-score-adj", 0, "the container's OOM score adjustment (-1000 to 1000)")
	fl.BoolVar(&o.OOMKillDisable, "oom-kill-disable", false, "disable the OOM killer (use with --memory)")
}
