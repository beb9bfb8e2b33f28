package seccomp

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// SECCOMP_RET_* values a filter returns (linux/seccomp.h). The low 16 bits
// (SECCOMP_RET_DATA) carry the errno of ERRNO and the message of TRACE.
const (
	retKillProcess uint32 = 0x80000000
	retKillThread  uint32 = 0x00000000
	retTrap        uint32 = 0x00030000
	retErrno       uint32 = 0x00050000
	retTrace       uint32 = 0x7ff00000
	retLog         uint32 = 0x7ffc0000
	retAllow       uint32 = 0x7fff0000
	retData        uint32 = 0x0000ffff
)

// retBadArch is libseccomp's default action for an architecture the filter
// does not cover (SCMP_ACT_KILL).
const retBadArch = retKillThread

// retENOSYS is what runc's stub returns for syscalls newer than the profile.
const retENOSYS = retErrno | uint32(unix.ENOSYS)

// action converts an OCI action and its errnoRet to the value the filter
// returns. ERRNO and TRACE default to EPERM, as in runc.
func action(act specs.LinuxSeccompAction, errnoRet *uint) (uint32, error) {
	data := func() (uint32, error) {
		if errnoRet == nil {
			return uint32(unix.EPERM), nil
		}
		if *errnoRet > uint(retData) {
			return 0, fmt.Errorf("errnoRet %d of %s does not fit in 16 bits", *errnoRet, act)
		}
		return uint32(*errnoRet), nil
	}
	switch act {
	case specs.ActKill, specs.ActKillThread:
		return retKillThread, nil
	case specs.ActKillProcess:
		return retKillProcess, nil
	case specs.ActTrap:
		return retTrap, nil
	case specs.ActErrno:
		d, err := data()
		return retErrno | d, err
	case specs.ActTrace:
		d, err := data()
		return retTrace | d, err
	case specs.ActAllow:
		return retAllow, nil
	case specs.ActLog:
		return retLog, nil
	case specs.ActNotify:
		return 0, fmt.Errorf("seccomp action %s is not supported", act)
	case "":
		return 0, fmt.Errorf("seccomp action is missing")
	default:
		return 0, fmt.Errorf("unknown seccomp action %q", act)
	}
}

// permissive reports whether a default action lets unknown syscalls run, in
// which case runc adds no -ENOSYS stub (a tracer handles new syscalls too).
func permissive(act specs.LinuxSeccompAction) bool {
	return act == specs.ActAllow || act == specs.ActLog || act == specs.ActTrace
}

// Flag is a SECCOMP_FILTER_FLAG_* value passed to seccomp(2).
type Flag uint

// Filter flags ward supports.
const (
	// FlagTSync applies the filter to every thread of the process.
	FlagTSync Flag = 1 << 0
	// FlagLog logs every action but ALLOW.
	FlagLog Flag = 1 << 1
	// FlagSpecAllow leaves speculative store bypass mitigation off.
	FlagSpecAllow Flag = 1 << 2
)

// flag converts an OCI seccomp flag.
func flag(f specs.LinuxSeccompFlag) (Flag, error) {
	switch f {
	case "SECCOMP_FILTER_FLAG_TSYNC":
		return FlagTSync, nil
	case specs.LinuxSeccompFlagLog:
		return FlagLog, nil
	case specs.LinuxSeccompFlagSpecAllow:
		return FlagSpecAllow, nil
	case specs.LinuxSeccompFlagWaitKillableRecv:
		return 0, fmt.Errorf("seccomp flag %s applies only to SCMP_ACT_NOTIFY, which is not supported", f)
	default:
		return 0, fmt.Errorf("unknown seccomp flag %q", f)
	}
}
