// Package seccomp compiles the OCI runtime-spec seccomp configuration
// (linux.seccomp in config.json) to a classic BPF program and loads it into
// the kernel.
//
// # Why a pure-Go compiler and not libseccomp
//
// runc links libseccomp through cgo. ward compiles the filter itself, with
// golang.org/x/net/bpf as the instruction set and assembler, for three
// reasons: ward-runtime then builds with a plain `go build` and no
// libseccomp-dev; the same program the kernel runs can be executed by the
// x/net/bpf interpreter in unit tests, so every rule is tested without root
// and without loading anything; and the semantics are small and written down
// here rather than inherited from a C library version. What the compiler
// reproduces from libseccomp and runc, because Docker profiles depend on it:
//
//   - Architectures. The native x86_64 ABI is always filtered. SCMP_ARCH_X86
//     (i386, int 0x80) and SCMP_ARCH_X32 (x86_64 with __X32_SYSCALL_BIT in the
//     syscall number) are filtered when listed, each with its own syscall
//     numbers. Any other architecture the kernel reports, and x32 syscalls
//     when x32 is not listed, get libseccomp's default bad-architecture
//     action, SECCOMP_RET_KILL_THREAD. Other architectures named in the
//     config (aarch64, s390x, ...) are accepted and ignored: an x86 kernel
//     never reports them.
//
//   - Names. A syscall name is resolved per architecture; a name unknown on
//     an architecture is skipped there, and a name unknown on all of them is
//     skipped (runc does the same with names libseccomp does not know), and
//     listed by Program.Skipped.
//
//   - Actions. SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD. ERRNO and TRACE return
//     errnoRet, EPERM when it is absent; errnoRet on other actions is ignored
//     as runc ignores it. A rule whose action equals the default action is
//     dropped (libseccomp refuses it; runc skips it). SCMP_ACT_NOTIFY is not
//     supported and is an error.
//
//   - Rules. Conditions of one rule are ANDed, rules for the same syscall are
//     ORed and the first matching rule decides (libseccomp orders overlapping
//     conditional rules with different actions by its rule tree instead,
//     and refuses some such combinations). A rule without conditions
//     overrides conditional rules for the same syscall, as libseccomp's rule
//     tree does. A rule with several conditions on the same argument is
//     split into one rule per condition (ORed): runc does this for
//     libseccomp, and Docker's profile is written around it
//     (https://github.com/opencontainers/runc/issues/2735).
//
//   - Comparisons are unsigned and 64-bit on x86_64, comparing both 32-bit
//     halves of the argument; on i386 and x32, whose arguments are 32-bit,
//     only the low half is compared, as libseccomp does.
//
//   - The -ENOSYS stub of runc (libcontainer/seccomp/patchbpf): unless the
//     default action is ALLOW, LOG or TRACE, or defaultErrnoRet is ENOSYS, a
//     syscall numbered above the highest one the config names on that
//     architecture returns ENOSYS instead of the default action, so programs
//     fall back gracefully from syscalls newer than the profile.
//
//   - i386 multiplexers: a rule on a socket or System V IPC call also
//     applies to socketcall(2) or ipc(2) with the call number as first
//     argument, conditions on the call's first argument dropped, as
//     libseccomp does.
//
//   - Syscall -1, which a tracer leaves to skip a call, meets the default
//     action on x86_64 rather than the bad-architecture action.
//
// TestAgainstLibseccomp checks all of this by running ward's program and
// libseccomp's (with runc's stub modelled) on every syscall of every ABI,
// with arguments probing every condition, when gcc and libseccomp-dev are
// installed.
//
// # Program layout
//
//	ld arch
//	jeq AUDIT_ARCH_X86_64 -> x86_64      jeq AUDIT_ARCH_I386 -> i386 (if listed)
//	ret KILL_THREAD                      (bad architecture)
//	x86_64: ld nr; jge X32_BIT -> x32 or bad architecture (-1: default)
//	        jgt max -> ENOSYS
//	        binary search over sorted syscall numbers; each leaf compares
//	        arguments and returns; no match returns the default action
//	x32, i386: the same without the x32 test
//
// Conditional jumps in classic BPF reach at most 255 instructions; the small
// assembler in asm.go turns longer ones into unconditional jumps.
//
// # Loading
//
// Program.Load installs the filter on the calling thread with seccomp(2).
// The kernel requires no_new_privs or CAP_SYS_ADMIN; the caller sets
// no_new_privs, locks the goroutine to its OS thread and execs from that
// thread, and asks for FlagTSync when every thread must be filtered.
package seccomp
