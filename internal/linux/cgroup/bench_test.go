package cgroup

import (
	"fmt"
	"os"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// BenchmarkCreateSetDestroy measures what a container start and delete cost
// in cgroup work: New, Apply (every hierarchy), Set of the limits Docker
// commonly sends, and Destroy.
func BenchmarkCreateSetDestroy(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root to create cgroups")
	}
	res := &specs.LinuxResources{
		Memory:  &specs.LinuxMemory{Limit: ptr[int64](256 << 20)},
		Pids:    &specs.LinuxPids{Limit: ptr[int64](100)},
		CPU:     &specs.LinuxCPU{Shares: ptr[uint64](512), Quota: ptr[int64](50000), Period: ptr[uint64](100000)},
		Devices: dockerDevices(),
	}
	for i := 0; b.Loop(); i++ {
		m, err := New(fmt.Sprintf("/ward-bench-%d-%d", os.Getpid(), i), "")
		if err != nil {
			b.Fatal(err)
		}
		if err := m.Apply(-1); err != nil {
			b.Fatal(err)
		}
		if err := m.Set(res); err != nil {
			b.Fatal(err)
		}
		if err := m.Destroy(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeviceProgram measures compiling Docker's device rules to BPF.
func BenchmarkDeviceProgram(b *testing.B) {
	rules := dockerDevices()
	for b.Loop() {
		l, err := newDeviceList(rules)
		if err != nil {
			b.Fatal(err)
		}
		_ = encode(deviceProgram(l))
	}
}
