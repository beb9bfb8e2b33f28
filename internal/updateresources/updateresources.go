// Package updateresources builds the linux.resources that `ward-runtime
// update` applies, as runc update does: a JSON document (--resources FILE,
// or - for stdin) with the limits given as flags laid over it. Only the
// flags the caller set count: a limit left out is left as it is.
package updateresources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Values are update's flags, by the name each is given on the command
// line (see Build).
type Values struct {
	Resources                                        string // a file, "-" for stdin, "" for none
	Memory, MemorySwap, MemoryReservation, PidsLimit int64
	CPUQuota                                         int64
	CPUShares, CPUPeriod                             uint64
	CpusetCpus, CpusetMems                           string
}

// Build reads the resources document, if any, and lays over it each value
// whose flag set reports as given ("memory", "memory-swap",
// "memory-reservation", "pids-limit", "cpu-shares", "cpu-period",
// "cpu-quota", "cpuset-cpus", "cpuset-mems").
func Build(stdin io.Reader, v Values, set func(flag string) bool) (*specs.LinuxResources, error) {
	r := &specs.LinuxResources{}
	if v.Resources != "" {
		var data []byte
		var err error
		if v.Resources == "-" {
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(v.Resources)
		}
		if err != nil {
			return nil, fmt.Errorf("read resources: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(r); err != nil {
			return nil, fmt.Errorf("parse resources: %w", err)
		}
	}
	mem := func() *specs.LinuxMemory {
		if r.Memory == nil {
			r.Memory = &specs.LinuxMemory{}
		}
		return r.Memory
	}
	cpu := func() *specs.LinuxCPU {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		return r.CPU
	}
	if set("memory") {
		mem().Limit = &v.Memory
	}
	if set("memory-swap") {
		mem().Swap = &v.MemorySwap
	}
	if set("memory-reservation") {
		mem().Reservation = &v.MemoryReservation
	}
	if set("pids-limit") {
		r.Pids = &specs.LinuxPids{Limit: &v.PidsLimit}
	}
	if set("cpu-shares") {
		cpu().Shares = &v.CPUShares
	}
	if set("cpu-period") {
		cpu().Period = &v.CPUPeriod
	}
	if set("cpu-quota") {
		cpu().Quota = &v.CPUQuota
	}
	if set("cpuset-cpus") {
		cpu().Cpus = v.CpusetCpus
	}
	if set("cpuset-mems") {
		cpu().Mems = v.CpusetMems
	}
	return r, nil
}
