// Package stats reads what `docker stats` shows of a container from the
// kernel: its cgroups (v1 controllers or the v2 unified hierarchy, as
// /proc/PID/cgroup names them), its network namespace's counters
// (/proc/PID/net/dev) and the host's CPU time (/proc/stat). A Sample is
// one reading; CPU use is the difference between two.
package stats

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Sample is one reading of a container's resources.
type Sample struct {
	Taken       time.Time
	CPUNanos    uint64 // the container's CPU time
	SystemNanos uint64 // the host's CPU time, all CPUs
	OnlineCPUs  int
	MemUsage    uint64 // without the inactive page cache, as Docker's CLI shows it
	MemLimit    uint64 // the host's memory when the cgroup sets none
	NetRx       uint64
	NetTx       uint64
	BlockRead   uint64
	BlockWrite  uint64
	PIDs        uint64
}

// cgroupRoot is where the hierarchies are mounted.
var cgroupRoot = "/sys/fs/cgroup"

// Read takes a sample of the container whose init is pid.
func Read(pid int) (Sample, error) {
	s := Sample{Taken: time.Now(), OnlineCPUs: runtime.NumCPU()}
	paths, err := cgroupPaths(pid)
	if err != nil {
		return s, err
	}
	v2, hasV2 := paths[""]
	dir := func(ctrl string) (string, bool) {
		if p, ok := paths[ctrl]; ok {
			return filepath.Join(cgroupRoot, ctrl, p), true
		}
		return "", false
	}
	unified := func() string {
		if _, err := os.Stat(filepath.Join(cgroupRoot, "unified")); err == nil {
			return filepath.Join(cgroupRoot, "unified", v2)
		}
		return filepath.Join(cgroupRoot, v2)
	}

	// CPU.
	if d, ok := dir("cpuacct"); ok {
		s.CPUNanos = readUint(filepath.Join(d, "cpuacct.usage"))
	} else if hasV2 {
		s.CPUNanos = keyed(filepath.Join(unified(), "cpu.stat"))["usage_usec"] * 1000
	}
	s.SystemNanos, err = systemNanos()
	if err != nil {
		return s, err
	}
	// Memory.
	var limit uint64
	if d, ok := dir("memory"); ok {
		usage := readUint(filepath.Join(d, "memory.usage_in_bytes"))
		st := keyed(filepath.Join(d, "memory.stat"))
		s.MemUsage = noCache(usage, st["total_inactive_file"])
		limit = readUint(filepath.Join(d, "memory.limit_in_bytes"))
	} else if hasV2 {
		u := unified()
		s.MemUsage = noCache(readUint(filepath.Join(u, "memory.current")), keyed(filepath.Join(u, "memory.stat"))["inactive_file"])
		limit = readUint(filepath.Join(u, "memory.max")) // "max" reads as 0
	}
	host := hostMemory()
	if limit == 0 || limit > host {
		limit = host
	}
	s.MemLimit = limit
	// Processes.
	if d, ok := dir("pids"); ok {
		s.PIDs = readUint(filepath.Join(d, "pids.current"))
	} else if hasV2 {
		s.PIDs = readUint(filepath.Join(unified(), "pids.current"))
	}
	// Block I/O.
	if d, ok := dir("blkio"); ok {
		s.BlockRead, s.BlockWrite = blkioV1(filepath.Join(d, "blkio.throttle.io_service_bytes"))
	} else if hasV2 {
		s.BlockRead, s.BlockWrite = ioStat(filepath.Join(unified(), "io.stat"))
	}
	// Network: every interface of the container's namespace but lo.
	s.NetRx, s.NetTx = netDev(fmt.Sprintf("/proc/%d/net/dev", pid))
	return s, nil
}

// noCache is Docker's CLI's memory figure: usage less the inactive file
// cache.
func noCache(usage, inactive uint64) uint64 {
	if inactive < usage {
		return usage - inactive
	}
	return usage
}

// CPUPercent is the container's CPU use between two samples, as docker
// stats computes it: its share of the host's CPU time times the CPUs.
func CPUPercent(prev, cur Sample) float64 {
	cpu := float64(cur.CPUNanos) - float64(prev.CPUNanos)
	sys := float64(cur.SystemNanos) - float64(prev.SystemNanos)
	if cpu <= 0 || sys <= 0 {
		return 0
	}
	return cpu / sys * float64(cur.OnlineCPUs) * 100
}

// cgroupPaths reads /proc/PID/cgroup: controller to path ("" for the
// unified hierarchy).
func cgroupPaths(pid int) (map[string]string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return nil, fmt.Errorf("cgroups of process %d: %w", pid, err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[c] = parts[2]
		}
	}
	return out, nil
}

func readUint(p string) uint64 {
	data, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	return n
}

// keyed reads a "key value" per line file (memory.stat, cpu.stat).
func keyed(p string) map[string]uint64 {
	out := map[string]uint64{}
	data, err := os.ReadFile(p)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 {
			out[f[0]], _ = strconv.ParseUint(f[1], 10, 64)
		}
	}
	return out
}

// systemNanos is the host's CPU time from /proc/stat's cpu line, in
// nanoseconds (USER_HZ is 100 on Linux), as Docker's daemon reads it.
func systemNanos() (uint64, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 && fields[0] == "cpu" {
			var total uint64
			for _, v := range fields[1:8] {
				n, _ := strconv.ParseUint(v, 10, 64)
				total += n
			}
			return total * uint64(time.Second) / 100, nil
		}
	}
	return 0, fmt.Errorf("/proc/stat: no cpu line")
}

func hostMemory() uint64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
			n, _ := strconv.ParseUint(f[1], 10, 64)
			return n * 1024
		}
	}
	return 0
}

func blkioV1(p string) (read, write uint64) {
	data, _ := os.ReadFile(p)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		n, _ := strconv.ParseUint(f[2], 10, 64)
		switch strings.ToLower(f[1]) {
		case "read":
			read += n
		case "write":
			write += n
		}
	}
	return read, write
}

func ioStat(p string) (read, write uint64) {
	data, _ := os.ReadFile(p)
	for _, line := range strings.Split(string(data), "\n") {
		for _, kv := range strings.Fields(line)[min(1, len(strings.Fields(line))):] {
			k, v, _ := strings.Cut(kv, "=")
			n, _ := strconv.ParseUint(v, 10, 64)
			switch k {
			case "rbytes":
				read += n
			case "wbytes":
				write += n
			}
		}
	}
	return read, write
}

func netDev(p string) (rx, tx uint64) {
	data, err := os.ReadFile(p)
	if err != nil {
		return 0, 0
	}
	lines := bytes.Split(data, []byte("\n"))
	if len(lines) < 3 {
		return 0, 0
	}
	for _, line := range lines[2:] { // two lines of titles
		name, rest, ok := strings.Cut(string(line), ":")
		if !ok || strings.TrimSpace(name) == "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			continue
		}
		r, _ := strconv.ParseUint(f[0], 10, 64)
		t, _ := strconv.ParseUint(f[8], 10, 64)
		rx, tx = rx+r, tx+t
	}
	return rx, tx
}
