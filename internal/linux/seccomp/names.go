package seccomp

import "sync"

var x86_64Names = sync.OnceValue(func() map[uint32]string {
	nrs := abiX86_64.syscalls()
	m := make(map[uint32]string, len(nrs))
	for name, nr := range nrs {
		m[nr] = name
	}
	return m
})

// SyscallNameX86_64 is the name of x86_64 system call nr, as seccomp
// profiles spell it: what an observer of raw_syscalls, which sees
// numbers, needs to write a profile.
func SyscallNameX86_64(nr uint32) (string, bool) {
	name, ok := x86_64Names()[nr]
	return name, ok
}
