package seccomp

//go:generate go run ./gensyscalls -o zsyscalls.go

import (
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// x32SyscallBit is __X32_SYSCALL_BIT: the kernel sets it in the syscall
// number of x32 processes, which otherwise report AUDIT_ARCH_X86_64.
const x32SyscallBit = 0x40000000

// AUDIT_ARCH_* values the kernel puts in seccomp_data.arch.
const (
	auditArchX86_64 = 0xc000003e
	auditArchI386   = 0x40000003
)

// abi is one syscall ABI a filter on an x86_64 host can see. Its table
// of numbers is built on first use (table), not when a program linking
// the package starts: ward and ward-runtime start far more often than
// they compile a filter.
type abi struct {
	arch   specs.Arch
	audit  uint32                   // seccomp_data.arch value
	table  func() map[string]uint32 // the generated table (zsyscalls.go)
	args32 bool                     // arguments are 32-bit: compare the low halves only
	base   uint32                   // lowest possible number: x32SyscallBit on x32

	once  sync.Once
	nrs   map[string]uint32 // numbers by name
	nspan int               // highest number - base + 1
}

// syscalls returns the ABI's numbers by name.
func (a *abi) syscalls() map[string]uint32 {
	a.once.Do(a.load)
	return a.nrs
}

// span is the highest number - base + 1.
func (a *abi) span() int {
	a.once.Do(a.load)
	return a.nspan
}

func (a *abi) load() {
	a.nrs = a.table()
	for _, nr := range a.nrs {
		a.nspan = max(a.nspan, int(nr-a.base)+1)
	}
}

var (
	abiX86_64 = &abi{arch: specs.ArchX86_64, audit: auditArchX86_64, table: syscallsX86_64}
	abiX86    = &abi{arch: specs.ArchX86, audit: auditArchI386, table: syscallsX86, args32: true}
	abiX32    = &abi{arch: specs.ArchX32, audit: auditArchX86_64, table: syscallsX32, args32: true, base: x32SyscallBit}
)

// foreignArches are architectures a config may name that an x86 kernel
// never reports; they are accepted and need no code.
var foreignArches = map[specs.Arch]bool{
	specs.ArchARM: true, specs.ArchAARCH64: true,
	specs.ArchMIPS: true, specs.ArchMIPS64: true, specs.ArchMIPS64N32: true,
	specs.ArchMIPSEL: true, specs.ArchMIPSEL64: true, specs.ArchMIPSEL64N32: true,
	specs.ArchPPC: true, specs.ArchPPC64: true, specs.ArchPPC64LE: true,
	specs.ArchS390: true, specs.ArchS390X: true, specs.ArchPARISC: true, specs.ArchPARISC64: true,
	specs.ArchRISCV64: true, specs.ArchLOONGARCH64: true,
	specs.ArchM68K: true, specs.ArchSH: true, specs.ArchSHEB: true,
}

// SyscallNumber returns the number of a syscall on one of the x86 ABIs
// (SCMP_ARCH_X86_64, SCMP_ARCH_X86 or SCMP_ARCH_X32; x32 numbers include
// __X32_SYSCALL_BIT).
func SyscallNumber(arch specs.Arch, name string) (uint32, bool) {
	for _, a := range []*abi{abiX86_64, abiX86, abiX32} {
		if a.arch == arch {
			nr, ok := a.syscalls()[name]
			return nr, ok
		}
	}
	return 0, false
}

// multiplexed lists the socket and System V IPC calls that i386 programs
// can also make through socketcall(2) or ipc(2), with the call number the
// multiplexer takes as its first argument (SYS_* in linux/net.h, and
// linux/ipc.h). Some have no direct i386 syscall at all (send, recv,
// accept, semop, semtimedop).
var multiplexed = map[string]struct {
	syscall string
	call    uint32
}{
	"socket": {"socketcall", 1}, "bind": {"socketcall", 2}, "connect": {"socketcall", 3},
	"listen": {"socketcall", 4}, "accept": {"socketcall", 5}, "getsockname": {"socketcall", 6},
	"getpeername": {"socketcall", 7}, "socketpair": {"socketcall", 8}, "send": {"socketcall", 9},
	"recv": {"socketcall", 10}, "sendto": {"socketcall", 11}, "recvfrom": {"socketcall", 12},
	"shutdown": {"socketcall", 13}, "setsockopt": {"socketcall", 14}, "getsockopt": {"socketcall", 15},
	"sendmsg": {"socketcall", 16}, "recvmsg": {"socketcall", 17}, "accept4": {"socketcall", 18},
	"recvmmsg": {"socketcall", 19}, "sendmmsg": {"socketcall", 20},

	"semop": {"ipc", 1}, "semget": {"ipc", 2}, "semctl": {"ipc", 3}, "semtimedop": {"ipc", 4},
	"msgsnd": {"ipc", 11}, "msgrcv": {"ipc", 12}, "msgget": {"ipc", 13}, "msgctl": {"ipc", 14},
	"shmat": {"ipc", 21}, "shmdt": {"ipc", 22}, "shmget": {"ipc", 23}, "shmctl": {"ipc", 24},
}
