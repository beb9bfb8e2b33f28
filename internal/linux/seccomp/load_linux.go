package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// seccompSetModeFilter is SECCOMP_SET_MODE_FILTER.
const seccompSetModeFilter = 1

// Load installs the filter on the calling thread with seccomp(2), with the
// config's flags plus extra. The kernel requires no_new_privs on the thread
// or CAP_SYS_ADMIN. Only the calling thread is filtered unless FlagTSync is
// given, so the caller locks its goroutine to the OS thread that will exec.
func (p *Program) Load(extra ...Flag) error {
	if len(p.raw) == 0 {
		return errors.New("loading seccomp filter: empty program")
	}
	flags := p.flags
	for _, f := range extra {
		flags |= f
	}
	filter := make([]unix.SockFilter, len(p.raw))
	for i, r := range p.raw {
		filter[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, seccompSetModeFilter, uintptr(flags), uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(filter)
	switch {
	case errno == unix.EACCES:
		return fmt.Errorf("loading seccomp filter: %w (set no_new_privs or keep CAP_SYS_ADMIN)", errno)
	case errno != 0:
		return fmt.Errorf("loading seccomp filter with flags %#x: %w", flags, errno)
	case r != 0:
		// With TSYNC, a positive return is a thread that could not be
		// synchronized because it has a conflicting filter.
		return fmt.Errorf("loading seccomp filter: thread %d could not be synchronized", r)
	}
	return nil
}
