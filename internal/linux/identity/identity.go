// Package identity switches the calling thread to the container's user
// and applies the per-process limits that come with it (rlimits, OOM
// score). The container's init runs locked to its main thread and execs
// from it, so per-thread system calls are exactly what is wanted: no
// broadcast to the Go runtime's other threads, which exec discards.
package identity

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Switch sets the supplementary groups, then the gid, then the uid of the
// calling thread. Groups are always set, to the empty list when the spec
// has none, so the runtime's own groups never leak into the container.
func Switch(u specs.User) error {
	gids := make([]uint32, len(u.AdditionalGids))
	copy(gids, u.AdditionalGids)
	if len(gids) == 0 {
		gids = []uint32{0} // any valid pointer; the kernel reads none of it
	}
	_, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(u.AdditionalGids)), uintptr(unsafe.Pointer(&gids[0])), 0)
	if e != 0 {
		// In a user namespace whose setgroups is denied, only an empty
		// list was ever possible; anything else is a real failure.
		if !(e == unix.EPERM && len(gids) == 0) {
			return fmt.Errorf("setgroups %v: %w", u.AdditionalGids, e)
		}
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(u.GID), uintptr(u.GID), uintptr(u.GID)); e != 0 {
		return fmt.Errorf("setgid %d: %w", u.GID, e)
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(u.UID), uintptr(u.UID), uintptr(u.UID)); e != 0 {
		return fmt.Errorf("setuid %d: %w", u.UID, e)
	}
	return nil
}

// SetRlimits applies the spec's rlimits. Raising a hard limit above the
// current one needs CAP_SYS_RESOURCE; when that is refused the error says
// so instead of a bare EPERM.
func SetRlimits(rls []specs.POSIXRlimit, resources map[string]int) error {
	for _, rl := range rls {
		res, ok := resources[rl.Type]
		if !ok {
			return fmt.Errorf("unknown rlimit %q", rl.Type)
		}
		lim := unix.Rlimit{Cur: rl.Soft, Max: rl.Hard}
		if err := unix.Setrlimit(res, &lim); err != nil {
			if errors.Is(err, unix.EPERM) {
				var cur unix.Rlimit
				_ = unix.Getrlimit(res, &cur)
				return fmt.Errorf("rlimit %s hard limit %d is above the host's %d, and raising it needs CAP_SYS_RESOURCE, which this host does not grant", rl.Type, rl.Hard, cur.Max)
			}
			return fmt.Errorf("set rlimit %s: %w", rl.Type, err)
		}
	}
	return nil
}

// SetOOMScoreAdj writes the process's OOM score adjustment. Lowering it
// below the current value needs CAP_SYS_RESOURCE.
func SetOOMScoreAdj(v int) error {
	err := os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(v)), 0)
	if errors.Is(err, os.ErrPermission) || errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
		return fmt.Errorf("oomScoreAdj %d needs CAP_SYS_RESOURCE, which this host does not grant", v)
	}
	if err != nil {
		return fmt.Errorf("set oomScoreAdj %d: %w", v, err)
	}
	return nil
}
