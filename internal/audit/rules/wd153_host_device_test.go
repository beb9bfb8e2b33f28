package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestHostDeviceExposed(t *testing.T) {
	devices := func(k workload.Kind, ds ...workload.Device) workload.Workload {
		w := hardened(k)
		w.Devices = ds
		return w
	}
	fuse := workload.Device{Host: "/dev/fuse", Container: "/dev/fuse"}
	disk := workload.Device{Host: "/dev/sda", Container: "/dev/xvda"}
	runCases(t, HostDeviceExposed, audit.Settings{}, []ruleCase{
		{"one device", devices(workload.KindCompose, fuse), 1},
		{"two devices", devices(workload.KindInspect, fuse, disk), 2},
		{"none", hardened(workload.KindOCI), 0},
	})
}
