package cgroup

import (
	"fmt"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// setV2 writes resources on a unified host, converting v1-shaped OCI values
// the way runc does.
func (m *Manager) setV2(r *specs.LinuxResources) error {
	steps := []func(*specs.LinuxResources) error{
		m.setDevicesV2,
		m.setMemoryV2,
		m.setCPUV2,
		m.setPidsV2,
		m.setIOV2,
		m.setHugetlbV2,
		m.setRdmaV2,
	}
	for _, step := range steps {
		if err := step(r); err != nil {
			return err
		}
	}
	if r.Network != nil && (r.Network.ClassID != nil || len(r.Network.Priorities) > 0) {
		return fmt.Errorf("cannot write net_cls.classid or net_prio.ifpriomap: %w on a unified host: %w", errNoV2Equivalent, ErrNotSupported)
	}
	return m.setUnified(r.Unified)
}

func (m *Manager) setMemoryV2(r *specs.LinuxResources) error {
	mem := r.Memory
	if mem == nil {
		return nil
	}
	swap, err := SwapToV2(mem.Swap, mem.Limit)
	if err != nil {
		return err
	}
	if mem.Limit != nil && *mem.Limit > 0 && mem.CheckBeforeUpdate != nil && *mem.CheckBeforeUpdate {
		if err := m.checkUsage(UnifiedKey, "memory.current", *mem.Limit); err != nil {
			return err
		}
	}
	// Swap first: runc's order, which lets a lower memory.max follow.
	if swap != nil {
		if err := m.write(UnifiedKey, "memory.swap.max", limitString(*swap)); err != nil {
			return err
		}
	}
	if mem.Limit != nil && *mem.Limit != 0 {
		if err := m.write(UnifiedKey, "memory.max", limitString(*mem.Limit)); err != nil {
			return err
		}
	}
	if mem.Reservation != nil && *mem.Reservation != 0 {
		if err := m.write(UnifiedKey, "memory.low", limitString(*mem.Reservation)); err != nil {
			return err
		}
	}
	v1only := []struct {
		set  bool
		file string
	}{
		{mem.Kernel != nil, "memory.kmem.limit_in_bytes"},
		{mem.KernelTCP != nil, "memory.kmem.tcp.limit_in_bytes"},
		{mem.Swappiness != nil, "memory.swappiness"},
		{mem.DisableOOMKiller != nil && *mem.DisableOOMKiller, "memory.oom_control"},
	}
	for _, f := range v1only {
		if f.set {
			return fmt.Errorf("cannot write %s: %w on a unified host: %w", f.file, errNoV2Equivalent, ErrNotSupported)
		}
	}
	return nil
}

func (m *Manager) setCPUV2(r *specs.LinuxResources) error {
	cpu := r.CPU
	if cpu == nil {
		return nil
	}
	if (cpu.RealtimePeriod != nil && *cpu.RealtimePeriod != 0) || (cpu.RealtimeRuntime != nil && *cpu.RealtimeRuntime != 0) {
		return fmt.Errorf("cannot write cpu.rt_period_us or cpu.rt_runtime_us: %w on a unified host: %w", errNoV2Equivalent, ErrNotSupported)
	}
	if cpu.Shares != nil && *cpu.Shares != 0 {
		if err := m.write(UnifiedKey, "cpu.weight", utoa(SharesToWeight(*cpu.Shares))); err != nil {
			return err
		}
	}
	if v, ok := cpuMax(cpu.Quota, cpu.Period); ok {
		if err := m.write(UnifiedKey, "cpu.max", v); err != nil {
			return err
		}
	}
	if cpu.Burst != nil {
		if err := m.write(UnifiedKey, "cpu.max.burst", utoa(*cpu.Burst)); err != nil {
			return err
		}
	}
	if cpu.Idle != nil {
		if err := m.write(UnifiedKey, "cpu.idle", itoa(*cpu.Idle)); err != nil {
			return err
		}
	}
	if cpu.Cpus != "" {
		if err := m.write(UnifiedKey, "cpuset.cpus", cpu.Cpus); err != nil {
			return err
		}
	}
	if cpu.Mems != "" {
		if err := m.write(UnifiedKey, "cpuset.mems", cpu.Mems); err != nil {
			return err
		}
	}
	return nil
}

// cpuMax renders cpu.max ("quota period", quota "max" when unlimited); a
// missing period keeps the kernel's.
func cpuMax(quota *int64, period *uint64) (string, bool) {
	q := int64(0)
	if quota != nil {
		q = *quota
	}
	p := uint64(0)
	if period != nil {
		p = *period
	}
	if q == 0 && p == 0 {
		return "", false
	}
	s := "max"
	if q > 0 {
		s = itoa(q)
	}
	if p != 0 {
		s += " " + utoa(p)
	}
	return s, true
}

func (m *Manager) setPidsV2(r *specs.LinuxResources) error {
	if r.Pids == nil || r.Pids.Limit == nil {
		return nil
	}
	v := "max"
	if *r.Pids.Limit > 0 {
		v = itoa(*r.Pids.Limit)
	}
	return m.write(UnifiedKey, "pids.max", v)
}

// setIOV2 writes weights to io.bfq.weight when the BFQ scheduler provides
// it (same 1..1000 scale as blkio), else to io.weight after conversion.
func (m *Manager) setIOV2(r *specs.LinuxResources) error {
	b := r.BlockIO
	if b == nil {
		return nil
	}
	weightFile := m.firstExisting(UnifiedKey, "io.bfq.weight", "io.weight")
	weight := func(w uint16) string {
		if weightFile == "io.bfq.weight" {
			return strconv.Itoa(int(w))
		}
		return utoa(BlkioToIOWeight(uint64(w)))
	}
	if b.Weight != nil && *b.Weight != 0 {
		if err := m.write(UnifiedKey, weightFile, weight(*b.Weight)); err != nil {
			return err
		}
	}
	if b.LeafWeight != nil && *b.LeafWeight != 0 {
		return fmt.Errorf("cannot write blkio.leaf_weight: %w on a unified host: %w", errNoV2Equivalent, ErrNotSupported)
	}
	for _, wd := range b.WeightDevice {
		if wd.Weight != nil {
			if err := m.write(UnifiedKey, weightFile, deviceNumbers(wd.LinuxBlockIODevice)+" "+weight(*wd.Weight)); err != nil {
				return err
			}
		}
	}
	throttles := []struct {
		key  string
		devs []specs.LinuxThrottleDevice
	}{
		{"rbps", b.ThrottleReadBpsDevice},
		{"wbps", b.ThrottleWriteBpsDevice},
		{"riops", b.ThrottleReadIOPSDevice},
		{"wiops", b.ThrottleWriteIOPSDevice},
	}
	for _, t := range throttles {
		for _, d := range t.devs {
			v := deviceNumbers(d.LinuxBlockIODevice) + " " + t.key + "=" + utoa(d.Rate)
			if err := m.write(UnifiedKey, "io.max", v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *Manager) setHugetlbV2(r *specs.LinuxResources) error {
	for _, h := range r.HugepageLimits {
		f, err := hugetlbFile(h.Pagesize, true)
		if err != nil {
			return err
		}
		if err := m.write(UnifiedKey, f, utoa(h.Limit)); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) setRdmaV2(r *specs.LinuxResources) error {
	for _, l := range rdmaLines(r.Rdma) {
		if err := m.write(UnifiedKey, "rdma.max", l); err != nil {
			return err
		}
	}
	return nil
}
