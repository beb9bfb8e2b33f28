package cgroup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// cgroup v2 has no devices files: a BPF_PROG_TYPE_CGROUP_DEVICE program
// attached to the cgroup decides every device access. The program is
// written here instruction by instruction; it is short and straight-line:
//
//	r2 = ctx.access_type & 0xffff   device type (1 block, 2 char)
//	r3 = ctx.access_type >> 16      requested access bits
//	r4 = ctx.major; r5 = ctx.minor
//	for each exception:  if it matches, return !default
//	return default

// Kernel ABI numbers (include/uapi/linux/bpf.h).
const (
	bpfProgTypeCgroupDevice = 15
	bpfCgroupDevice         = 6 // attach type
	bpfFAllowMulti          = 2
	bpfDevcgDevBlock        = 1
	bpfDevcgDevChar         = 2
)

// bpfInsn is struct bpf_insn.
type bpfInsn struct {
	code uint8
	regs uint8 // dst in the low nibble, src in the high
	off  int16
	imm  int32
}

func ins(code uint8, dst, src uint8, off int16, imm int32) bpfInsn {
	return bpfInsn{code: code, regs: dst | src<<4, off: off, imm: imm}
}

// Opcodes used by the device program.
const (
	opLdxW    = 0x61 // BPF_LDX|BPF_MEM|BPF_W
	opAnd32K  = 0x54 // BPF_ALU|BPF_AND|BPF_K
	opRsh32K  = 0x74 // BPF_ALU|BPF_RSH|BPF_K
	opMov32X  = 0xbc // BPF_ALU|BPF_MOV|BPF_X
	opMov64K  = 0xb7 // BPF_ALU64|BPF_MOV|BPF_K
	opJeqK    = 0x15 // BPF_JMP|BPF_JEQ|BPF_K
	opJneK    = 0x55 // BPF_JMP|BPF_JNE|BPF_K
	opExit    = 0x95 // BPF_JMP|BPF_EXIT
	regR0     = 0
	regCtx    = 1
	regType   = 2
	regAccess = 3
	regMajor  = 4
	regMinor  = 5
)

// deviceProgram compiles a device list to BPF instructions.
func deviceProgram(l *deviceList) []bpfInsn {
	p := []bpfInsn{
		ins(opLdxW, regType, regCtx, 0, 0),
		ins(opAnd32K, regType, 0, 0, 0xffff),
		ins(opLdxW, regAccess, regCtx, 0, 0),
		ins(opRsh32K, regAccess, 0, 0, 16),
		ins(opLdxW, regMajor, regCtx, 4, 0),
		ins(opLdxW, regMinor, regCtx, 8, 0),
	}
	boolInt := func(b bool) int32 {
		if b {
			return 1
		}
		return 0
	}
	for _, e := range l.exceptions {
		var block []bpfInsn
		// Jumps to "next" get their offsets once the block's length is known.
		var jumps []int
		jump := func(code uint8, reg uint8, imm int32) {
			jumps = append(jumps, len(block))
			block = append(block, ins(code, reg, 0, 0, imm))
		}
		typ := int32(bpfDevcgDevChar)
		if e.typ == 'b' {
			typ = bpfDevcgDevBlock
		}
		jump(opJneK, regType, typ)
		if e.major >= 0 {
			jump(opJneK, regMajor, int32(e.major))
		}
		if e.minor >= 0 {
			jump(opJneK, regMinor, int32(e.minor))
		}
		block = append(block, ins(opMov32X, regCtx, regAccess, 0, 0))
		if l.defaultAllow {
			// Deny list: any requested bit the exception names is denied,
			// as v1 denies on a partial match.
			block = append(block, ins(opAnd32K, regCtx, 0, 0, int32(e.access)))
			jump(opJeqK, regCtx, 0)
		} else {
			// Allow list: every requested bit must be allowed.
			block = append(block, ins(opAnd32K, regCtx, 0, 0, int32(^e.access&7)))
			jump(opJneK, regCtx, 0)
		}
		block = append(block,
			ins(opMov64K, regR0, 0, 0, boolInt(!l.defaultAllow)),
			ins(opExit, 0, 0, 0, 0))
		for _, j := range jumps {
			block[j].off = int16(len(block) - j - 1)
		}
		p = append(p, block...)
	}
	return append(p,
		ins(opMov64K, regR0, 0, 0, boolInt(l.defaultAllow)),
		ins(opExit, 0, 0, 0, 0))
}

// encode lays the instructions out as the kernel reads them.
func encode(p []bpfInsn) []byte {
	b := make([]byte, 0, 8*len(p))
	for _, i := range p {
		b = append(b, i.code, i.regs)
		b = binary.NativeEndian.AppendUint16(b, uint16(i.off))
		b = binary.NativeEndian.AppendUint32(b, uint32(i.imm))
	}
	return b
}

// setDevicesV2 replaces the device program of the cgroup2 directory: the new
// one is attached before the old ones are detached, so no access slips
// through in between.
func (m *Manager) setDevicesV2(r *specs.LinuxResources) error {
	if len(r.Devices) == 0 {
		return nil
	}
	dir, err := m.hierarchyDir(UnifiedKey, "(device BPF program)")
	if err != nil {
		return err
	}
	list, err := newDeviceList(r.Devices)
	if err != nil {
		return err
	}
	return attachDeviceProgram(dir, deviceProgram(list))
}

// Attribute layouts of the bpf(2) commands used (union bpf_attr).
type progLoadAttr struct {
	progType    uint32
	insnCnt     uint32
	insns       uint64
	license     uint64
	logLevel    uint32
	logSize     uint32
	logBuf      uint64
	kernVersion uint32
	progFlags   uint32
	progName    [16]byte
}

type progAttachAttr struct {
	targetFd    uint32
	attachBpfFd uint32
	attachType  uint32
	attachFlags uint32
}

type progQueryAttr struct {
	targetFd    uint32
	attachType  uint32
	queryFlags  uint32
	attachFlags uint32
	progIDs     uint64
	progCnt     uint32
	_           uint32
}

type getFdByIDAttr struct {
	id        uint32
	nextID    uint32
	openFlags uint32
}

func bpf(cmd int, attr unsafe.Pointer, size uintptr) (int, error) {
	r, _, errno := unix.Syscall(unix.SYS_BPF, uintptr(cmd), uintptr(attr), size)
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

func attachDeviceProgram(dir string, prog []bpfInsn) error {
	cg, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open cgroup %s: %w", dir, err)
	}
	defer unix.Close(cg)

	fd, err := loadDeviceProgram(prog, false)
	if err != nil {
		// Load again with the verifier's log, only to explain the failure.
		_, lerr := loadDeviceProgram(prog, true)
		return fmt.Errorf("load device BPF program for %s: %w", dir, lerr)
	}
	defer unix.Close(fd)

	old, err := attachedPrograms(cg)
	if err != nil {
		return fmt.Errorf("query device programs of %s: %w", dir, err)
	}
	attach := progAttachAttr{targetFd: uint32(cg), attachBpfFd: uint32(fd), attachType: bpfCgroupDevice, attachFlags: bpfFAllowMulti}
	if _, err := bpf(unix.BPF_PROG_ATTACH, unsafe.Pointer(&attach), unsafe.Sizeof(attach)); err != nil {
		return fmt.Errorf("attach device BPF program to %s: %w", dir, err)
	}
	for _, id := range old {
		get := getFdByIDAttr{id: id}
		ofd, err := bpf(unix.BPF_PROG_GET_FD_BY_ID, unsafe.Pointer(&get), unsafe.Sizeof(get))
		if errors.Is(err, unix.ENOENT) {
			continue
		}
		if err != nil {
			return fmt.Errorf("replace device program %d of %s: %w", id, dir, err)
		}
		detach := progAttachAttr{targetFd: uint32(cg), attachBpfFd: uint32(ofd), attachType: bpfCgroupDevice}
		_, err = bpf(unix.BPF_PROG_DETACH, unsafe.Pointer(&detach), unsafe.Sizeof(detach))
		unix.Close(ofd)
		if err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("detach old device program %d from %s: %w", id, dir, err)
		}
	}
	return nil
}

// loadDeviceProgram loads the program and returns its fd. With verbose, a
// failure carries the verifier's log.
func loadDeviceProgram(prog []bpfInsn, verbose bool) (int, error) {
	code := encode(prog)
	license := []byte("Apache\x00")
	load := progLoadAttr{
		progType: bpfProgTypeCgroupDevice,
		insnCnt:  uint32(len(prog)),
		insns:    uint64(uintptr(unsafe.Pointer(&code[0]))),
		license:  uint64(uintptr(unsafe.Pointer(&license[0]))),
	}
	copy(load.progName[:], "ward_devices")
	var logBuf []byte
	if verbose {
		logBuf = make([]byte, 64<<10)
		load.logLevel = 1
		load.logSize = uint32(len(logBuf))
		load.logBuf = uint64(uintptr(unsafe.Pointer(&logBuf[0])))
	}
	fd, err := bpf(unix.BPF_PROG_LOAD, unsafe.Pointer(&load), unsafe.Sizeof(load))
	runtime.KeepAlive(code)
	runtime.KeepAlive(license)
	runtime.KeepAlive(logBuf)
	if err != nil && verbose {
		return -1, fmt.Errorf("%w (verifier: %s)", err, strings.TrimSpace(cString(logBuf)))
	}
	return fd, err
}

// attachedPrograms lists the ids of the device programs attached directly
// to a cgroup.
func attachedPrograms(cg int) ([]uint32, error) {
	ids := make([]uint32, 64)
	q := progQueryAttr{
		targetFd:   uint32(cg),
		attachType: bpfCgroupDevice,
		progIDs:    uint64(uintptr(unsafe.Pointer(&ids[0]))),
		progCnt:    uint32(len(ids)),
	}
	_, err := bpf(unix.BPF_PROG_QUERY, unsafe.Pointer(&q), unsafe.Sizeof(q))
	runtime.KeepAlive(ids)
	if err != nil {
		return nil, err
	}
	return ids[:q.progCnt], nil
}

// cString returns the text before the first NUL.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
