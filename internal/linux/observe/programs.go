package observe

import "github.com/cilium/ebpf/asm"

// Raw tracepoint contexts are the tracepoint's TP_PROTO arguments as an
// array of u64: sys_enter(regs, id) and cap_capable(cred, target_ns,
// capable_ns, cap, ret). Raw tracepoints skip the perf record a classic
// tracepoint program is handed, which matters on sys_enter: every system
// call of the host enters the program while learning.
const (
	offSyscallID = 8
	offCap       = 24
	offCapRet    = 32
)

// inCgroup starts a program: r6 = ctx, r7 = pid_tgid, and leaves unless
// the current task is in the cgroup.
func inCgroup(cgroupID uint64) asm.Instructions {
	return asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.FnGetCurrentPidTgid.Call(),
		asm.Mov.Reg(asm.R7, asm.R0),
		asm.FnGetCurrentCgroupId.Call(),
		asm.LoadImm(asm.R1, int64(cgroupID), asm.DWord),
		asm.JNE.Reg(asm.R0, asm.R1, "exit"),
	}
}

// lookup sets r0 to the element of map fd whose u32 key is in r (or the
// immediate key when r is asm.RFP), leaving on a missing one.
func lookup(fd int, key int32, r asm.Register) asm.Instructions {
	var store asm.Instruction
	if r == asm.RFP {
		store = asm.StoreImm(asm.RFP, -4, int64(key), asm.Word)
	} else {
		store = asm.StoreMem(asm.RFP, -4, r, asm.Word)
	}
	return asm.Instructions{
		store,
		asm.LoadMapPtr(asm.R1, fd),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "exit"),
	}
}

func exit() asm.Instructions {
	return asm.Instructions{asm.Mov.Imm(asm.R0, 0).WithSymbol("exit"), asm.Return()}
}

// sysEnterProgram marks syscalls[id] (its first time) for the cgroup's tasks once armed
// (see the package comment): state[0] holds the pid_tgid of the thread
// that loaded a seccomp filter, state[1] is set by the workload's exec,
// state[2] is the pid_tgid of the thread making the first exec until
// that exec has ended.
func sysEnterProgram(cgroupID uint64, state, syscalls int) asm.Instructions {
	p := inCgroup(cgroupID)
	p = append(p, asm.LoadMem(asm.R8, asm.R6, offSyscallID, asm.DWord))
	p = append(p,
		asm.JEq.Imm(asm.R8, nrExecve, "setexec"),
		asm.JEq.Imm(asm.R8, nrExecveat, "setexec"),
		asm.Ja.Label("check"),
	)
	set := lookup(state, 1, asm.RFP)
	set[0] = set[0].WithSymbol("setexec")
	p = append(p, set...)
	p = append(p,
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.Mov.Imm(asm.R2, 1), asm.StoreMem(asm.R0, 0, asm.R2, asm.DWord),
		asm.JNE.Imm(asm.R1, 0, "record"),
	)
	// The first exec: until it ends (schedProcessExecProgram), the other
	// threads of its process are the runtime's, not the workload's.
	p = append(p, lookup(state, 2, asm.RFP)...)
	p = append(p, asm.StoreMem(asm.R0, 0, asm.R7, asm.DWord), asm.Ja.Label("record"))

	check := lookup(state, 1, asm.RFP)
	check[0] = check[0].WithSymbol("check")
	p = append(p, check...)
	p = append(p, asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), asm.JNE.Imm(asm.R1, 0, "armed"))
	p = append(p, lookup(state, 0, asm.RFP)...)
	p = append(p,
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.JEq.Reg(asm.R1, asm.R7, "record"),
		// Not armed: the seccomp(2) call arms its thread for what follows.
		asm.JNE.Imm(asm.R8, nrSeccomp, "exit"),
		asm.StoreMem(asm.R0, 0, asm.R7, asm.DWord),
		asm.Ja.Label("exit"),
	)
	// Armed: skip the other threads of the process whose first exec has
	// begun and not ended (state[2], its thread's pid_tgid).
	armed := lookup(state, 2, asm.RFP)
	armed[0] = armed[0].WithSymbol("armed")
	p = append(p, armed...)
	p = append(p,
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "record"),
		asm.JEq.Reg(asm.R1, asm.R7, "record"),
		asm.RSh.Imm(asm.R1, 32),
		asm.Mov.Reg(asm.R2, asm.R7),
		asm.RSh.Imm(asm.R2, 32),
		asm.JNE.Reg(asm.R1, asm.R2, "record"),
		asm.Ja.Label("exit"),
	)
	p = append(p, asm.JGT.Imm(asm.R8, maxSyscall-1, "exit").WithSymbol("record"))
	p = append(p, lookup(syscalls, 0, asm.R8)...)
	// syscalls[id] holds the boot-clock time it was first entered, so
	// that the first call outside a profile can be named.
	p = append(p,
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.JNE.Imm(asm.R1, 0, "exit"),
		asm.Mov.Reg(asm.R9, asm.R0),
		asm.FnKtimeGetNs.Call(),
		asm.StoreMem(asm.R9, 0, asm.R0, asm.DWord),
	)
	return append(p, exit()...)
}

// schedProcessExecProgram clears state[2] when an exec of the cgroup
// has ended (sched:sched_process_exec fires once the old image's other
// threads are gone): from then on every thread counts.
func schedProcessExecProgram(cgroupID uint64, state int) asm.Instructions {
	p := inCgroup(cgroupID)
	p = append(p, lookup(state, 2, asm.RFP)...)
	p = append(p, asm.Mov.Imm(asm.R1, 0), asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord))
	return append(p, exit()...)
}

// capCapableProgram marks caps[cap] when the kernel grants cap to a
// task of the cgroup after the workload's exec, caps[64+cap] when it
// refuses it.
func capCapableProgram(cgroupID uint64, state, caps int) asm.Instructions {
	p := inCgroup(cgroupID)
	p = append(p, lookup(state, 1, asm.RFP)...)
	p = append(p,
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.JEq.Imm(asm.R1, 0, "exit"),
		asm.LoadMem(asm.R8, asm.R6, offCap, asm.DWord),
		asm.JGT.Imm(asm.R8, maxCap-1, "exit"),
		asm.LoadMem(asm.R9, asm.R6, offCapRet, asm.DWord),
		asm.JEq.Imm(asm.R9, 0, "granted"),
		asm.Add.Imm(asm.R8, maxCap),
	)
	rec := lookup(caps, 0, asm.R8)
	rec[0] = rec[0].WithSymbol("granted")
	p = append(p, rec...)
	p = append(p, asm.StoreImm(asm.R0, 0, 1, asm.Word))
	return append(p, exit()...)
}
