package cgroup

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setV1 writes resources on a legacy or hybrid host.
func (m *Manager) setV1(r *specs.LinuxResources) error {
	steps := []func(*specs.LinuxResources) error{
		m.setDevicesV1,
		m.setMemoryV1,
		m.setCPUV1,
		m.setPidsV1,
		m.setBlkioV1,
		m.setHugetlbV1,
		m.setNetworkV1,
		m.setRdmaV1,
	}
	for _, step := range steps {
		if err := step(r); err != nil {
			return err
		}
	}
	if len(r.Unified) > 0 {
		if m.mode == Legacy {
			return fmt.Errorf("linux.resources.unified needs cgroup v2, and this host mounts only v1: %w", ErrNotSupported)
		}
		// On a hybrid host the cgroup2 hierarchy has no controllers, but
		// its core files (cgroup.freeze, limits on descendants) work.
		return m.setUnified(r.Unified)
	}
	return nil
}

// setDevicesV1 brings the devices cgroup to what the rules describe. When
// both the current and the wanted lists deny by default (every container
// after its first Set), it only adds and removes the exceptions that differ,
// so an update never passes through deny-all under a running container.
// Otherwise it writes the rules in order: each is an allow or deny entry,
// and an "a" (all devices) rule resets the list to allow-all or deny-all.
func (m *Manager) setDevicesV1(r *specs.LinuxResources) error {
	if len(r.Devices) == 0 {
		return nil
	}
	want, err := newDeviceList(r.Devices)
	if err != nil {
		return err
	}
	dir, err := m.hierarchyDir("devices", "devices.list")
	if err != nil {
		return err
	}
	current, err := readFile(dir, "devices.list")
	if err != nil {
		return err
	}
	if have, ok := parseDevicesList(current); ok && !want.defaultAllow {
		return m.transitionDevicesV1(have, want)
	}
	for _, d := range r.Devices {
		rule, err := DeviceRule(d)
		if err != nil {
			return err
		}
		file := "devices.deny"
		if d.Allow {
			file = "devices.allow"
		}
		if err := m.write("devices", file, rule); err != nil {
			return err
		}
	}
	return nil
}

// transitionDevicesV1 turns one deny-by-default list into another.
func (m *Manager) transitionDevicesV1(have, want *deviceList) error {
	find := func(l *deviceList, e deviceException) uint32 {
		for _, x := range l.exceptions {
			if x.typ == e.typ && x.major == e.major && x.minor == e.minor {
				return x.access
			}
		}
		return 0
	}
	for _, e := range have.exceptions {
		if drop := e.access &^ find(want, e); drop != 0 {
			if err := m.write("devices", "devices.deny", e.withAccess(drop).String()); err != nil {
				return err
			}
		}
	}
	for _, e := range want.exceptions {
		if add := e.access &^ find(have, e); add != 0 {
			if err := m.write("devices", "devices.allow", e.withAccess(add).String()); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseDevicesList reads a v1 devices.list. It reports ok only for a
// deny-by-default list: an allow-by-default cgroup shows "a *:* rwm" and
// hides its exceptions.
func parseDevicesList(s string) (*deviceList, bool) {
	l := &deviceList{}
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || f[0] == "a" {
			return nil, false
		}
		maj, min, ok := strings.Cut(f[1], ":")
		if !ok || (f[0] != "b" && f[0] != "c") {
			return nil, false
		}
		num := func(s string) (int64, bool) {
			if s == "*" {
				return -1, true
			}
			n, err := strconv.ParseInt(s, 10, 64)
			return n, err == nil
		}
		e := deviceException{typ: f[0][0]}
		var ok1, ok2 bool
		e.major, ok1 = num(maj)
		e.minor, ok2 = num(min)
		if !ok1 || !ok2 {
			return nil, false
		}
		e.access = accessBits(f[2])
		l.exceptions = append(l.exceptions, e)
	}
	return l, true
}

// DeviceRule renders one OCI device rule as the v1 devices cgroup reads it:
// "type major:minor access", "*" standing for any number.
func DeviceRule(d specs.LinuxDeviceCgroup) (string, error) {
	typ := d.Type
	switch typ {
	case "":
		typ = "a"
	case "a", "b", "c":
	default:
		return "", fmt.Errorf("device rule: invalid type %q", d.Type)
	}
	access := d.Access
	if access == "" {
		access = "rwm"
	}
	for _, c := range access {
		if !strings.ContainsRune("rwm", c) {
			return "", fmt.Errorf("device rule: invalid access %q", d.Access)
		}
	}
	num := func(p *int64) string {
		if p == nil || *p < 0 {
			return "*"
		}
		return strconv.FormatInt(*p, 10)
	}
	return fmt.Sprintf("%s %s:%s %s", typ, num(d.Major), num(d.Minor), access), nil
}

func (m *Manager) setMemoryV1(r *specs.LinuxResources) error {
	mem := r.Memory
	if mem == nil {
		return nil
	}
	const limitFile, swapFile = "memory.limit_in_bytes", "memory.memsw.limit_in_bytes"
	limit, swap := mem.Limit, mem.Swap
	if limit != nil && *limit == 0 {
		limit = nil // runc reads zero as unset, not as "no memory at all"
	}
	if limit != nil && mem.CheckBeforeUpdate != nil && *mem.CheckBeforeUpdate {
		if err := m.checkUsage("memory", "memory.usage_in_bytes", *limit); err != nil {
			return err
		}
	}
	if limit != nil && *limit == -1 && swap == nil {
		// Unlimited memory with swap unset means unlimited swap, when the
		// kernel accounts swap at all.
		if dir, err := m.hierarchyDir("memory", swapFile); err == nil {
			if _, err := readFile(dir, swapFile); err == nil {
				unlimited := int64(-1)
				swap = &unlimited
			}
		}
	}
	if swap != nil && *swap == 0 {
		swap = nil // runc reads zero as unset
	}
	swapFirst := false
	if limit != nil && swap != nil {
		// memory.memsw must stay >= memory.limit at every step, so raise
		// whichever must grow first.
		dir, err := m.hierarchyDir("memory", limitFile)
		if err != nil {
			return err
		}
		cur, _, err := readUint(dir, limitFile)
		if err != nil {
			return err
		}
		swapFirst = *swap == -1 || cur < uint64(*swap)
	}
	if swapFirst {
		if err := m.write("memory", swapFile, itoa(*swap)); err != nil {
			return err
		}
	}
	if limit != nil {
		if err := m.write("memory", limitFile, itoa(*limit)); err != nil {
			return err
		}
	}
	if swap != nil && !swapFirst {
		if err := m.write("memory", swapFile, itoa(*swap)); err != nil {
			return err
		}
	}
	if mem.Reservation != nil && *mem.Reservation != 0 {
		if err := m.write("memory", "memory.soft_limit_in_bytes", itoa(*mem.Reservation)); err != nil {
			return err
		}
	}
	if mem.Kernel != nil {
		if err := m.write("memory", "memory.kmem.limit_in_bytes", itoa(*mem.Kernel)); err != nil {
			return err
		}
	}
	if mem.KernelTCP != nil {
		if err := m.write("memory", "memory.kmem.tcp.limit_in_bytes", itoa(*mem.KernelTCP)); err != nil {
			return err
		}
	}
	if mem.Swappiness != nil {
		if *mem.Swappiness > 100 {
			return fmt.Errorf("memory.swappiness %d is above 100", *mem.Swappiness)
		}
		if err := m.write("memory", "memory.swappiness", utoa(*mem.Swappiness)); err != nil {
			return err
		}
	}
	if mem.DisableOOMKiller != nil && *mem.DisableOOMKiller {
		if err := m.write("memory", "memory.oom_control", "1"); err != nil {
			return err
		}
	}
	if mem.UseHierarchy != nil {
		v := "0"
		if *mem.UseHierarchy {
			v = "1"
		}
		if err := m.write("memory", "memory.use_hierarchy", v); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) setCPUV1(r *specs.LinuxResources) error {
	cpu := r.CPU
	if cpu == nil {
		return nil
	}
	if cpu.Shares != nil && *cpu.Shares != 0 {
		if err := m.write("cpu", "cpu.shares", utoa(*cpu.Shares)); err != nil {
			return err
		}
		// The kernel clamps out-of-range shares silently; say so instead.
		got, _, err := readUint(m.paths["cpu"], "cpu.shares")
		if err != nil {
			return err
		}
		if got != *cpu.Shares {
			return fmt.Errorf("cpu.shares %d is out of range: the kernel set %d", *cpu.Shares, got)
		}
	}
	if cpu.Period != nil && *cpu.Period != 0 {
		err := m.write("cpu", "cpu.cfs_period_us", utoa(*cpu.Period))
		// A shorter period can be refused while the old quota exceeds what
		// it allows; write the quota first and retry.
		if err != nil && cpu.Quota != nil && errors.Is(err, unix.EINVAL) {
			if qerr := m.write("cpu", "cpu.cfs_quota_us", itoa(*cpu.Quota)); qerr != nil {
				return qerr
			}
			err = m.write("cpu", "cpu.cfs_period_us", utoa(*cpu.Period))
		}
		if err != nil {
			return err
		}
	}
	if cpu.Quota != nil && *cpu.Quota != 0 {
		if err := m.write("cpu", "cpu.cfs_quota_us", itoa(*cpu.Quota)); err != nil {
			return err
		}
	}
	if cpu.Burst != nil {
		if err := m.write("cpu", "cpu.cfs_burst_us", utoa(*cpu.Burst)); err != nil {
			return err
		}
	}
	if cpu.RealtimePeriod != nil && *cpu.RealtimePeriod != 0 {
		if err := m.write("cpu", "cpu.rt_period_us", utoa(*cpu.RealtimePeriod)); err != nil {
			return err
		}
	}
	if cpu.RealtimeRuntime != nil && *cpu.RealtimeRuntime != 0 {
		if err := m.write("cpu", "cpu.rt_runtime_us", itoa(*cpu.RealtimeRuntime)); err != nil {
			return err
		}
	}
	if cpu.Idle != nil {
		if err := m.write("cpu", "cpu.idle", itoa(*cpu.Idle)); err != nil {
			return err
		}
	}
	if cpu.Cpus != "" {
		if err := m.write("cpuset", "cpuset.cpus", cpu.Cpus); err != nil {
			return err
		}
	}
	if cpu.Mems != "" {
		if err := m.write("cpuset", "cpuset.mems", cpu.Mems); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) setPidsV1(r *specs.LinuxResources) error {
	if r.Pids == nil || r.Pids.Limit == nil {
		return nil
	}
	v := "max"
	if *r.Pids.Limit > 0 {
		v = itoa(*r.Pids.Limit)
	}
	return m.write("pids", "pids.max", v)
}

// setBlkioV1 prefers the CFQ files and falls back to BFQ's, as runc does:
// kernels since 5.0 have only BFQ, whose files carry a "bfq." prefix.
func (m *Manager) setBlkioV1(r *specs.LinuxResources) error {
	b := r.BlockIO
	if b == nil {
		return nil
	}
	if b.Weight != nil && *b.Weight != 0 {
		f := m.firstExisting("blkio", "blkio.weight", "blkio.bfq.weight")
		if err := m.write("blkio", f, strconv.Itoa(int(*b.Weight))); err != nil {
			return err
		}
	}
	if b.LeafWeight != nil && *b.LeafWeight != 0 {
		if err := m.write("blkio", "blkio.leaf_weight", strconv.Itoa(int(*b.LeafWeight))); err != nil {
			return err
		}
	}
	for _, wd := range b.WeightDevice {
		if wd.Weight != nil {
			f := m.firstExisting("blkio", "blkio.weight_device", "blkio.bfq.weight_device")
			if err := m.write("blkio", f, deviceNumbers(wd.LinuxBlockIODevice)+" "+strconv.Itoa(int(*wd.Weight))); err != nil {
				return err
			}
		}
		if wd.LeafWeight != nil {
			if err := m.write("blkio", "blkio.leaf_weight_device", deviceNumbers(wd.LinuxBlockIODevice)+" "+strconv.Itoa(int(*wd.LeafWeight))); err != nil {
				return err
			}
		}
	}
	throttles := []struct {
		file string
		devs []specs.LinuxThrottleDevice
	}{
		{"blkio.throttle.read_bps_device", b.ThrottleReadBpsDevice},
		{"blkio.throttle.write_bps_device", b.ThrottleWriteBpsDevice},
		{"blkio.throttle.read_iops_device", b.ThrottleReadIOPSDevice},
		{"blkio.throttle.write_iops_device", b.ThrottleWriteIOPSDevice},
	}
	for _, t := range throttles {
		for _, d := range t.devs {
			if err := m.write("blkio", t.file, deviceNumbers(d.LinuxBlockIODevice)+" "+utoa(d.Rate)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *Manager) setHugetlbV1(r *specs.LinuxResources) error {
	for _, h := range r.HugepageLimits {
		f, err := hugetlbFile(h.Pagesize, false)
		if err != nil {
			return err
		}
		if err := m.write("hugetlb", f, utoa(h.Limit)); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) setNetworkV1(r *specs.LinuxResources) error {
	n := r.Network
	if n == nil {
		return nil
	}
	if n.ClassID != nil {
		if err := m.write("net_cls", "net_cls.classid", strconv.FormatUint(uint64(*n.ClassID), 10)); err != nil {
			return err
		}
	}
	for _, p := range n.Priorities {
		if err := m.write("net_prio", "net_prio.ifpriomap", p.Name+" "+strconv.FormatUint(uint64(p.Priority), 10)); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) setRdmaV1(r *specs.LinuxResources) error {
	for _, l := range rdmaLines(r.Rdma) {
		if err := m.write("rdma", "rdma.max", l); err != nil {
			return err
		}
	}
	return nil
}
