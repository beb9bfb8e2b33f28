package runspec

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// minMemory is Docker 20.10's smallest accepted --memory (6 MiB).
const minMemory = 6 * 1024 * 1024

// cpuPeriod is the CFS period Docker always uses with --cpus (100 ms).
const cpuPeriod = 100000

// ParseMemory parses a --memory or --memory-swap value as Docker does
// ("512m", "1g", "1073741824"; binary units). -1 means unlimited and is
// only meaningful for --memory-swap.
func ParseMemory(flag, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	if v == "-1" && flag == "--memory-swap" {
		return -1, nil
	}
	n, err := units.RAMInBytes(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: invalid size %q (use a number with an optional unit b, k, m or g)", flag, v)
	}
	return n, nil
}

// ParseCPUs parses --cpus into nano CPUs as Docker does: a decimal with at
// most nine fractional digits.
func ParseCPUs(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	r, ok := new(big.Rat).SetString(v)
	if !ok || r.Sign() < 0 {
		return 0, fmt.Errorf("--cpus: invalid number %q", v)
	}
	nano := r.Mul(r, big.NewRat(1e9, 1))
	if !nano.IsInt() {
		return 0, fmt.Errorf("--cpus: %q is too precise (at most 9 decimal places)", v)
	}
	if !nano.Num().IsInt64() {
		return 0, fmt.Errorf("--cpus: %q is too large", v)
	}
	return nano.Num().Int64(), nil
}

// CPUQuota turns nano CPUs into the CFS quota and period Docker writes:
// the period is always 100 ms.
func CPUQuota(nano int64) (quota int64, period uint64) {
	return nano * cpuPeriod / 1e9, cpuPeriod
}

// ParseUlimit parses a --ulimit value, NAME=SOFT[:HARD] ("nofile=1024:2048",
// -1 for unlimited), into the spec's rlimit as Docker does.
func ParseUlimit(v string) (specs.POSIXRlimit, error) {
	u, err := units.ParseUlimit(v)
	if ne := (*strconv.NumError)(nil); errors.As(err, &ne) {
		return specs.POSIXRlimit{}, fmt.Errorf("--ulimit %q: %q is not a number", v, ne.Num)
	}
	if err != nil {
		return specs.POSIXRlimit{}, fmt.Errorf("--ulimit %q: %w", v, err)
	}
	return specs.POSIXRlimit{Type: "RLIMIT_" + strings.ToUpper(u.Name), Soft: uint64(u.Soft), Hard: uint64(u.Hard)}, nil
}

// resources builds linux.resources as Docker 20.10 does: memory with the
// OOM killer explicitly enabled, cpu shares 0, block I/O weight 0, and
// the default device rules (or allow-all when privileged).
func resources(o Options, host *Host) (*specs.LinuxResources, error) {
	mem, err := ParseMemory("--memory", o.Memory)
	if err != nil {
		return nil, err
	}
	swap, err := ParseMemory("--memory-swap", o.MemorySwap)
	if err != nil {
		return nil, err
	}
	if mem > 0 && mem < minMemory {
		return nil, fmt.Errorf("--memory: minimum memory limit allowed is 6MB, got %q", o.Memory)
	}
	if swap != 0 && mem == 0 {
		return nil, fmt.Errorf("--memory-swap: needs --memory as well")
	}
	if swap > 0 && swap < mem {
		return nil, fmt.Errorf("--memory-swap: %q is smaller than --memory %q (it counts memory plus swap)", o.MemorySwap, o.Memory)
	}
	if mem > 0 && swap == 0 {
		// Docker's default: as much swap as memory.
		swap = mem * 2
	}
	nano, err := ParseCPUs(o.CPUs)
	if err != nil {
		return nil, err
	}
	if err := checkCPURange(o.CPUs, nano, host.CPUs); err != nil {
		return nil, err
	}

	oomKillDisable := false
	var shares uint64
	var weight uint16
	r := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{DisableOOMKiller: &oomKillDisable},
		CPU:     &specs.LinuxCPU{Shares: &shares},
		BlockIO: &specs.LinuxBlockIO{Weight: &weight},
		Devices: defaultDeviceRules(),
	}
	if mem > 0 {
		r.Memory.Limit = &mem
	}
	if swap > 0 {
		r.Memory.Swap = &swap
	}
	if nano > 0 {
		quota, period := CPUQuota(nano)
		r.CPU.Quota, r.CPU.Period = &quota, &period
	}
	if o.PidsLimit != nil {
		limit := *o.PidsLimit
		if limit <= 0 {
			// Docker's spelling of "no limit".
			limit = -1
		}
		r.Pids = &specs.LinuxPids{Limit: &limit}
	}
	if o.Privileged {
		r.Devices = []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}
	}
	return r, nil
}

// defaultDeviceRules is Docker's device cgroup allow-list: deny all, then
// allow zero, null, urandom, random, tty, console, and deny fuse.
func defaultDeviceRules() []specs.LinuxDeviceCgroup {
	rule := func(allow bool, major, minor int64) specs.LinuxDeviceCgroup {
		return specs.LinuxDeviceCgroup{Allow: allow, Type: "c", Major: &major, Minor: &minor, Access: "rwm"}
	}
	return []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		rule(true, 1, 5), rule(true, 1, 3), rule(true, 1, 9), rule(true, 1, 8),
		rule(true, 5, 0), rule(true, 5, 1),
		rule(false, 10, 229),
	}
}
