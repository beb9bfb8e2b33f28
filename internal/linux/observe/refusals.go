package observe

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// RefusalWatch records the paths the kernel refused a cgroup's tasks
// with EROFS (a read-only mount) or EACCES (permissions, a noexec
// mount): two more eBPF programs, on the raw tracepoints sys_enter and
// sys_exit. At the entry of a system call that takes a path to write,
// create, remove or execute, the program keeps the path's user-memory
// address for the thread; at its exit, when the call returned -EROFS or
// -EACCES, it reads the path from the task's memory and records it with
// the time, once per path. What is named is what the kernel refused, as
// the workload spelled it (a relative path stays relative).
//
// Like the Observer, it records nothing until the cgroup's first
// execve(2): the runtime's own set-up is not the workload's.
type RefusalWatch struct {
	state, pathArgs, pending, paths *ebpf.Map
	progs                           []*ebpf.Program
	links                           []link.Link
}

// RefusedPath is one path the kernel refused.
type RefusedPath struct {
	Path    string
	Syscall uint32     // x86_64 number
	Errno   unix.Errno // EROFS or EACCES
	when    uint64
}

// String is "PATH (read-only file system)".
func (r RefusedPath) String() string {
	return fmt.Sprintf("%s (%s)", r.Path, r.Errno.Error())
}

// pathArgRegs maps the x86_64 system calls whose refusal names a path to
// the offset in struct pt_regs of that path argument (di, si, dx, r10 for
// arguments 0 to 3). Where a call takes two paths, the one it writes
// (rename's new path, link's new link). access(2) is left out on
// purpose: it asks, it does not try.
var pathArgRegs = map[uint32]uint32{
	2:   regDI,  // open
	85:  regDI,  // creat
	257: regSI,  // openat
	437: regSI,  // openat2
	83:  regDI,  // mkdir
	258: regSI,  // mkdirat
	84:  regDI,  // rmdir
	82:  regSI,  // rename (new path)
	264: regR10, // renameat (new path)
	316: regR10, // renameat2 (new path)
	87:  regDI,  // unlink
	263: regSI,  // unlinkat
	86:  regSI,  // link (new path)
	265: regR10, // linkat (new path)
	88:  regSI,  // symlink (link path)
	266: regDX,  // symlinkat (link path)
	76:  regDI,  // truncate
	90:  regDI,  // chmod
	268: regSI,  // fchmodat
	452: regSI,  // fchmodat2
	92:  regDI,  // chown
	94:  regDI,  // lchown
	260: regSI,  // fchownat
	133: regDI,  // mknod
	259: regSI,  // mknodat
	235: regDI,  // utimes
	280: regSI,  // utimensat
	188: regDI,  // setxattr
	189: regDI,  // lsetxattr
	59:  regDI,  // execve
	322: regSI,  // execveat
}

// Offsets in x86_64's struct pt_regs of the first four system-call
// arguments.
const (
	regR10 = 56
	regDX  = 96
	regSI  = 104
	regDI  = 112
)

const (
	pathMax       = 256 // bytes of a path kept, its NUL included
	maxRefusals   = 64  // distinct paths recorded
	offSysExitRet = 8   // sys_exit(regs, ret)
)

// WatchRefusals loads and attaches the programs for the cgroup of ID
// cgroupID.
func WatchRefusals(cgroupID uint64) (_ *RefusalWatch, err error) {
	if err := Check(); err != nil {
		return nil, err
	}
	w := &RefusalWatch{}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	for _, m := range []struct {
		dst  **ebpf.Map
		spec ebpf.MapSpec
	}{
		{&w.state, ebpf.MapSpec{Name: "ward_rf_state", Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}},
		{&w.pathArgs, ebpf.MapSpec{Name: "ward_rf_args", Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: maxSyscall}},
		// Keyed by thread: an LRU map, so that threads killed inside a
		// system call (no exit seen) cannot fill it.
		{&w.pending, ebpf.MapSpec{Name: "ward_rf_pending", Type: ebpf.LRUHash, KeySize: 8, ValueSize: 16, MaxEntries: 4096}},
		{&w.paths, ebpf.MapSpec{Name: "ward_rf_paths", Type: ebpf.Hash, KeySize: pathMax, ValueSize: 16, MaxEntries: maxRefusals}},
	} {
		spec := m.spec
		if *m.dst, err = ebpf.NewMap(&spec); err != nil {
			return nil, fmt.Errorf("naming refused paths needs BPF maps: create %s: %w", spec.Name, err)
		}
	}
	for nr, off := range pathArgRegs {
		if err := w.pathArgs.Put(nr, off); err != nil {
			return nil, fmt.Errorf("fill BPF map ward_rf_args: %w", err)
		}
	}
	for _, p := range []struct {
		name  string
		insns asm.Instructions
	}{
		{"sys_enter", refusalEnterProgram(cgroupID, w.state.FD(), w.pathArgs.FD(), w.pending.FD())},
		{"sys_exit", refusalExitProgram(cgroupID, w.pending.FD(), w.paths.FD())},
	} {
		prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
			Name: "ward_rf_" + p.name, Type: ebpf.RawTracepoint, License: "GPL", Instructions: p.insns,
		})
		if err != nil {
			return nil, fmt.Errorf("naming refused paths needs BPF tracepoint programs: load the raw_syscalls:%s program: %w", p.name, err)
		}
		w.progs = append(w.progs, prog)
		l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: p.name, Program: prog})
		if err != nil {
			return nil, fmt.Errorf("naming refused paths needs the tracepoint raw_syscalls:%s: attach: %w", p.name, err)
		}
		w.links = append(w.links, l)
	}
	return w, nil
}

// Paths returns the paths refused, in the order the kernel first
// refused them.
func (w *RefusalWatch) Paths() ([]RefusedPath, error) {
	var out []RefusedPath
	var key [pathMax]byte
	var value [16]byte
	it := w.paths.Iterate()
	for it.Next(&key, &value) {
		ne := binary.NativeEndian
		path, _, _ := bytes.Cut(key[:], []byte{0})
		r := RefusedPath{
			Path:    string(path),
			when:    ne.Uint64(value[0:8]),
			Syscall: ne.Uint32(value[8:12]),
			Errno:   unix.Errno(-int32(ne.Uint32(value[12:16]))),
		}
		if len(path) == pathMax-1 {
			r.Path += "..." // the kernel's read stops at pathMax
		}
		out = append(out, r)
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("read BPF map ward_rf_paths: %w", err)
	}
	slices.SortStableFunc(out, func(a, b RefusedPath) int { return cmp.Compare(a.when, b.when) })
	return out, nil
}

// Close detaches the programs and frees the maps.
func (w *RefusalWatch) Close() error {
	err := closeAll(w.links, w.progs, w.state, w.pathArgs, w.pending, w.paths)
	w.links, w.progs = nil, nil
	return err
}

// Stack of the programs: fp-4 the u32 key of lookup; fp-16 the thread's
// pid_tgid (pending's key); fp-32 pending's value {path address, system
// call number} or paths' value {time, number, return value}; fp-288 the
// path, paths' key.
const (
	stackTask  = -16
	stackValue = -32
	stackPath  = -32 - pathMax
)

// refusalEnterProgram keeps, for a task of the cgroup once armed (its
// first execve or execveat arms it), the address of the path argument of
// a system call of pathArgRegs, by thread.
func refusalEnterProgram(cgroupID uint64, state, pathArgs, pending int) asm.Instructions {
	p := inCgroup(cgroupID)
	p = append(p,
		asm.LoadMem(asm.R8, asm.R6, offSyscallID, asm.DWord),
		asm.JEq.Imm(asm.R8, nrExecve, "arm"),
		asm.JEq.Imm(asm.R8, nrExecveat, "arm"),
	)
	p = append(p, lookup(state, 0, asm.RFP)...)
	p = append(p,
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "exit"),
		asm.Ja.Label("track"),
	)
	arm := lookup(state, 0, asm.RFP)
	arm[0] = arm[0].WithSymbol("arm")
	p = append(p, arm...)
	p = append(p, asm.Mov.Imm(asm.R1, 1), asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord))

	p = append(p, asm.JGT.Imm(asm.R8, maxSyscall-1, "exit").WithSymbol("track"))
	p = append(p, lookup(pathArgs, 0, asm.R8)...)
	p = append(p,
		asm.LoadMem(asm.R9, asm.R0, 0, asm.Word),
		asm.JEq.Imm(asm.R9, 0, "exit"),
		// The argument register, read from the task's saved registers.
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, stackValue),
		asm.Mov.Imm(asm.R2, 8),
		asm.LoadMem(asm.R3, asm.R6, 0, asm.DWord),
		asm.Add.Reg(asm.R3, asm.R9),
		asm.FnProbeReadKernel.Call(),
		asm.JNE.Imm(asm.R0, 0, "exit"),
		asm.StoreMem(asm.RFP, stackValue+8, asm.R8, asm.DWord),
		asm.StoreMem(asm.RFP, stackTask, asm.R7, asm.DWord),
		asm.LoadMapPtr(asm.R1, pending),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackTask),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, stackValue),
		asm.Mov.Imm(asm.R4, 0), // BPF_ANY
		asm.FnMapUpdateElem.Call(),
	)
	return append(p, exit()...)
}

// refusalExitProgram takes the thread's pending path, if any, and
// records it, with the time, the system call and its return value, when
// the call returned -EROFS or -EACCES; a path already recorded keeps its
// first time.
func refusalExitProgram(cgroupID uint64, pending, paths int) asm.Instructions {
	p := inCgroup(cgroupID)
	p = append(p,
		asm.StoreMem(asm.RFP, stackTask, asm.R7, asm.DWord),
		asm.LoadMapPtr(asm.R1, pending),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackTask),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "exit"),
		asm.LoadMem(asm.R8, asm.R0, 0, asm.DWord), // path address
		asm.LoadMem(asm.R9, asm.R0, 8, asm.DWord), // system call
		asm.LoadMapPtr(asm.R1, pending),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackTask),
		asm.FnMapDeleteElem.Call(),
		asm.LoadMem(asm.R7, asm.R6, offSysExitRet, asm.DWord),
		asm.JEq.Imm(asm.R7, -int32(unix.EROFS), "refused"),
		asm.JEq.Imm(asm.R7, -int32(unix.EACCES), "refused"),
		asm.Ja.Label("exit"),
	)
	// A map key must be initialized to its last byte: zero the path
	// buffer, which the string read fills only to its NUL.
	p = append(p, asm.Mov.Imm(asm.R1, 0).WithSymbol("refused"))
	for off := int16(stackPath); off < stackPath+pathMax; off += 8 {
		p = append(p, asm.StoreMem(asm.RFP, off, asm.R1, asm.DWord))
	}
	p = append(p,
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, stackPath),
		asm.Mov.Imm(asm.R2, pathMax),
		asm.Mov.Reg(asm.R3, asm.R8),
		asm.FnProbeReadUserStr.Call(),
		asm.JSLE.Imm(asm.R0, 0, "exit"),
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.RFP, stackValue, asm.R0, asm.DWord),
		asm.StoreMem(asm.RFP, stackValue+8, asm.R9, asm.Word),
		asm.StoreMem(asm.RFP, stackValue+12, asm.R7, asm.Word),
		asm.LoadMapPtr(asm.R1, paths),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, stackPath),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, stackValue),
		asm.Mov.Imm(asm.R4, 1), // BPF_NOEXIST: the first time stays
		asm.FnMapUpdateElem.Call(),
	)
	return append(p, exit()...)
}
