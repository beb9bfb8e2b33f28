package cgroup

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Stats is a snapshot of the cgroup's usage, in the units runc's
// `events --stats` reports: bytes and nanoseconds.
type Stats struct {
	Memory MemoryStats
	CPU    CPUStats
	Pids   PidsStats
}

// MemoryStats is memory use; a Limit of math.MaxUint64 means unlimited.
type MemoryStats struct {
	Usage, MaxUsage, Limit, Failcnt uint64
	SwapUsage, SwapLimit            uint64 // v1: memory+swap, as memsw counts
	Cache                           uint64
	Raw                             map[string]uint64 // memory.stat
}

// CPUStats is CPU time used, and time throttled by the quota.
type CPUStats struct {
	TotalNanos, UserNanos, SystemNanos uint64
	PerCPUNanos                        []uint64 // v1 only
	Periods, ThrottledPeriods          uint64
	ThrottledNanos                     uint64
}

// PidsStats counts tasks; Limit 0 means no limit.
type PidsStats struct {
	Current, Limit uint64
}

// clockTicks is USER_HZ, the unit of cpuacct.stat; Linux fixes it at 100
// on every architecture Go supports.
const clockTicks = 100

// Stats reads the current usage. A controller that is not mounted, or a
// file this kernel lacks, leaves its fields zero: stats are observation,
// not configuration.
func (m *Manager) Stats() (*Stats, error) {
	var s Stats
	var err error
	if m.mode == Unified {
		err = m.statsV2(&s)
	} else {
		err = m.statsV1(&s)
	}
	if err != nil {
		return nil, fmt.Errorf("read cgroup stats: %w", err)
	}
	return &s, nil
}

// optional turns "file missing" into no error.
func optional(err error) error {
	if errors.Is(err, ErrNotSupported) {
		return nil
	}
	return err
}

// readInto reads one number into dst; "max" (v2) reads as math.MaxUint64.
func readInto(dst *uint64, dir, name string) error {
	n, max, err := readUint(dir, name)
	if err != nil {
		return optional(err)
	}
	if max {
		n = math.MaxUint64
	}
	*dst = n
	return nil
}

func (m *Manager) statsV1(s *Stats) error {
	if dir, ok := m.paths["memory"]; ok {
		for _, f := range []struct {
			dst  *uint64
			name string
		}{
			{&s.Memory.Usage, "memory.usage_in_bytes"},
			{&s.Memory.MaxUsage, "memory.max_usage_in_bytes"},
			{&s.Memory.Limit, "memory.limit_in_bytes"},
			{&s.Memory.Failcnt, "memory.failcnt"},
			{&s.Memory.SwapUsage, "memory.memsw.usage_in_bytes"},
			{&s.Memory.SwapLimit, "memory.memsw.limit_in_bytes"},
		} {
			if err := readInto(f.dst, dir, f.name); err != nil {
				return err
			}
		}
		raw, err := readKeyed(dir, "memory.stat")
		if err := optional(err); err != nil {
			return err
		}
		s.Memory.Raw = raw
		s.Memory.Cache = raw["total_cache"]
	}
	if dir, ok := m.paths["cpuacct"]; ok {
		if err := readInto(&s.CPU.TotalNanos, dir, "cpuacct.usage"); err != nil {
			return err
		}
		st, err := readKeyed(dir, "cpuacct.stat")
		if err := optional(err); err != nil {
			return err
		}
		s.CPU.UserNanos = st["user"] * (1e9 / clockTicks)
		s.CPU.SystemNanos = st["system"] * (1e9 / clockTicks)
		per, err := readFile(dir, "cpuacct.usage_percpu")
		if err := optional(err); err != nil {
			return err
		}
		for _, f := range strings.Fields(per) {
			n, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return fmt.Errorf("parse %s/cpuacct.usage_percpu: %w", dir, err)
			}
			s.CPU.PerCPUNanos = append(s.CPU.PerCPUNanos, n)
		}
	}
	if dir, ok := m.paths["cpu"]; ok {
		st, err := readKeyed(dir, "cpu.stat")
		if err := optional(err); err != nil {
			return err
		}
		s.CPU.Periods = st["nr_periods"]
		s.CPU.ThrottledPeriods = st["nr_throttled"]
		s.CPU.ThrottledNanos = st["throttled_time"]
	}
	if dir, ok := m.paths["pids"]; ok {
		if err := m.pidsStats(s, dir); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) statsV2(s *Stats) error {
	dir := m.paths[UnifiedKey]
	for _, f := range []struct {
		dst  *uint64
		name string
	}{
		{&s.Memory.Usage, "memory.current"},
		{&s.Memory.MaxUsage, "memory.peak"},
		{&s.Memory.Limit, "memory.max"},
		{&s.Memory.SwapUsage, "memory.swap.current"},
		{&s.Memory.SwapLimit, "memory.swap.max"},
	} {
		if err := readInto(f.dst, dir, f.name); err != nil {
			return err
		}
	}
	ev, err := readKeyed(dir, "memory.events")
	if err := optional(err); err != nil {
		return err
	}
	s.Memory.Failcnt = ev["max"]
	raw, err := readKeyed(dir, "memory.stat")
	if err := optional(err); err != nil {
		return err
	}
	s.Memory.Raw = raw
	s.Memory.Cache = raw["file"]

	st, err := readKeyed(dir, "cpu.stat")
	if err := optional(err); err != nil {
		return err
	}
	s.CPU.TotalNanos = st["usage_usec"] * 1000
	s.CPU.UserNanos = st["user_usec"] * 1000
	s.CPU.SystemNanos = st["system_usec"] * 1000
	s.CPU.Periods = st["nr_periods"]
	s.CPU.ThrottledPeriods = st["nr_throttled"]
	s.CPU.ThrottledNanos = st["throttled_usec"] * 1000
	return m.pidsStats(s, dir)
}

func (m *Manager) pidsStats(s *Stats, dir string) error {
	if err := readInto(&s.Pids.Current, dir, "pids.current"); err != nil {
		return err
	}
	n, max, err := readUint(dir, "pids.max")
	if err != nil {
		return optional(err)
	}
	if !max {
		s.Pids.Limit = n
	}
	return nil
}
