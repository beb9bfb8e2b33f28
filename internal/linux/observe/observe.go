// Package observe watches what the processes of one cgroup ask of the
// kernel: the system calls they enter and the capabilities the kernel
// checks for them. It is real kernel observation, two eBPF programs on
// the raw_syscalls:sys_enter and capability:cap_capable tracepoints (raw
// tracepoints: no tracefs, no perf record per event),
// filtered in the kernel by the cgroup v2 ID, written instruction by
// instruction with cilium/ebpf's asm package so that no C compiler is
// needed.
//
// A container's init runs runtime code before the user's program. The
// programs therefore record nothing until the runtime arms them:
//
//	seccomp(2) entered by a thread   system calls of that thread count from
//	                                 the next one (what the runtime makes
//	                                 after loading the filter)
//	execve(2)/execveat(2) entered    every system call and capability check
//	                                 of the cgroup counts, the exec included,
//	                                 except, until the first exec has ended
//	                                 (sched_process_exec), those of the other
//	                                 threads of its process: the runtime's,
//	                                 which the exec is about to end
//
// BPF memory is charged to the memory cgroup on the kernels this needs
// (5.11 on), so RLIMIT_MEMLOCK is left alone: raising it would need
// CAP_SYS_RESOURCE.
package observe

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// x86_64 system call numbers that arm the programs.
const (
	nrSeccomp  = 317
	nrExecve   = 59
	nrExecveat = 322
	maxSyscall = 512 // syscall numbers recorded: 0..511
	maxCap     = 64
)

// Observer is two attached programs and their maps; Close detaches them.
type Observer struct {
	state, syscalls, caps *ebpf.Map
	progs                 []*ebpf.Program
	links                 []link.Link
}

// Check reports in one line what this host lacks to observe a
// container: BPF maps and programs (root, or CAP_BPF and CAP_PERFMON).
// The raw tracepoints need no tracefs; a kernel without one of them
// fails Attach with a line naming it.
func Check() error {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "ward_check", Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		return fmt.Errorf("learning needs BPF: create a map: %w", err)
	}
	return m.Close()
}

// CgroupID is the cgroup v2 ID of the cgroup directory dir: its inode
// number, as bpf_get_current_cgroup_id returns it.
func CgroupID(dir string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return 0, fmt.Errorf("cgroup %s: %w", dir, err)
	}
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		return 0, fmt.Errorf("cgroup %s: %w", dir, err)
	}
	if fs.Type != unix.CGROUP2_SUPER_MAGIC {
		return 0, fmt.Errorf("cgroup %s is not on a cgroup2 file system", dir)
	}
	return st.Ino, nil
}

// Attach loads and attaches the programs for the cgroup of ID cgroupID.
func Attach(cgroupID uint64) (_ *Observer, err error) {
	if err := Check(); err != nil {
		return nil, err
	}
	o := &Observer{}
	defer func() {
		if err != nil {
			o.Close()
		}
	}()
	newArray := func(name string, value uint32, n uint32) (*ebpf.Map, error) {
		m, err := ebpf.NewMap(&ebpf.MapSpec{Name: name, Type: ebpf.Array, KeySize: 4, ValueSize: value, MaxEntries: n})
		if err != nil {
			return nil, fmt.Errorf("learning needs BPF maps: create %s: %w", name, err)
		}
		return m, nil
	}
	if o.state, err = newArray("ward_state", 8, 3); err != nil {
		return nil, err
	}
	if o.syscalls, err = newArray("ward_syscalls", 8, maxSyscall); err != nil {
		return nil, err
	}
	if o.caps, err = newArray("ward_caps", 4, 2*maxCap); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		group, name string
		insns       asm.Instructions
	}{
		{"raw_syscalls", "sys_enter", sysEnterProgram(cgroupID, o.state.FD(), o.syscalls.FD())},
		{"capability", "cap_capable", capCapableProgram(cgroupID, o.state.FD(), o.caps.FD())},
		{"sched", "sched_process_exec", schedProcessExecProgram(cgroupID, o.state.FD())},
	} {
		prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
			Name: "ward_" + p.name, Type: ebpf.RawTracepoint, License: "GPL", Instructions: p.insns,
		})
		if err != nil {
			return nil, fmt.Errorf("learning needs BPF tracepoint programs: load the %s:%s program: %w", p.group, p.name, err)
		}
		o.progs = append(o.progs, prog)
		l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: p.name, Program: prog})
		if err != nil {
			return nil, fmt.Errorf("learning needs the tracepoint %s:%s: attach: %w", p.group, p.name, err)
		}
		o.links = append(o.links, l)
	}
	return o, nil
}

// Syscalls returns the x86_64 numbers of the system calls recorded.
func (o *Observer) Syscalls() ([]uint32, error) {
	nrs, _, err := o.syscallTimes()
	return nrs, err
}

// SyscallsInOrder returns the x86_64 numbers of the system calls
// recorded, in the order the cgroup's tasks first entered them.
func (o *Observer) SyscallsInOrder() ([]uint32, error) {
	nrs, times, err := o.syscallTimes()
	if err != nil {
		return nil, err
	}
	order := make([]int, len(nrs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(times[a], times[b]) })
	out := make([]uint32, len(nrs))
	for i, j := range order {
		out[i] = nrs[j]
	}
	return out, nil
}

func (o *Observer) syscallTimes() (nrs []uint32, times []uint64, err error) {
	for i := uint32(0); i < maxSyscall; i++ {
		var v uint64
		if err := o.syscalls.Lookup(i, &v); err != nil {
			return nil, nil, fmt.Errorf("read BPF map: %w", err)
		}
		if v != 0 {
			nrs, times = append(nrs, i), append(times, v)
		}
	}
	return nrs, times, nil
}

// Capabilities returns the capabilities checked and granted, and those
// checked and refused (numbers as in linux/capability.h).
func (o *Observer) Capabilities() (granted, refused []uint32, err error) {
	if granted, err = o.marked(o.caps, maxCap, 0); err != nil {
		return nil, nil, err
	}
	refused, err = o.marked(o.caps, maxCap, maxCap)
	return granted, refused, err
}

// Armed tells whether the workload's exec was seen: a run that never
// armed the programs observed nothing and must not be called clean.
func (o *Observer) Armed() (bool, error) {
	var v uint64
	if err := o.state.Lookup(uint32(1), &v); err != nil {
		return false, fmt.Errorf("read BPF state: %w", err)
	}
	return v != 0, nil
}

func (o *Observer) marked(m *ebpf.Map, n, base uint32) ([]uint32, error) {
	var out []uint32
	for i := uint32(0); i < n; i++ {
		var v uint32
		if err := m.Lookup(base+i, &v); err != nil {
			return nil, fmt.Errorf("read BPF map: %w", err)
		}
		if v != 0 {
			out = append(out, i)
		}
	}
	return out, nil
}

// Close detaches the programs and frees the maps.
func (o *Observer) Close() error {
	err := closeAll(o.links, o.progs, o.state, o.syscalls, o.caps)
	o.links, o.progs = nil, nil
	return err
}

// closeAll detaches links before it closes the programs and maps they
// hold, as every watcher's Close must; nil maps (a watcher that failed
// half-way through its making) are passed over.
func closeAll(links []link.Link, progs []*ebpf.Program, maps ...*ebpf.Map) error {
	var errs []error
	for _, l := range links {
		errs = append(errs, l.Close())
	}
	for _, p := range progs {
		errs = append(errs, p.Close())
	}
	for _, m := range maps {
		if m != nil {
			errs = append(errs, m.Close())
		}
	}
	return errors.Join(errs...)
}
