package seccomp

import (
	"fmt"

	"golang.org/x/net/bpf"
)

// label names a position in a program under construction. next is the
// instruction that follows, so a jump to next falls through.
type label int

const next label = -1

// maxShortJump is the longest conditional jump classic BPF encodes (8 bits).
const maxShortJump = 255

// Classic BPF opcodes (linux/bpf_common.h) of the few instructions a
// seccomp filter needs. Emitting them directly, rather than through
// x/net/bpf's Instruction interface, saves an allocation per instruction;
// x/net/bpf still disassembles and interprets the result in tests.
const (
	opLoadAbsWord uint16 = 0x20 // BPF_LD | BPF_W | BPF_ABS
	opAndConst    uint16 = 0x54 // BPF_ALU | BPF_AND | BPF_K
	opJumpAlways  uint16 = 0x05 // BPF_JMP | BPF_JA
	opJumpEqual   uint16 = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
	opJumpGreater uint16 = 0x25 // BPF_JMP | BPF_JGT | BPF_K
	opJumpGreatEq uint16 = 0x35 // BPF_JMP | BPF_JGE | BPF_K
	opRetConst    uint16 = 0x06 // BPF_RET | BPF_K
)

type opKind uint8

const (
	kindPlain opKind = iota // code and k
	kindCond                // conditional jump: code, k, jt, jf
	kindMark                // defines label jt here
)

// asmOp is one entry of a program under construction.
type asmOp struct {
	kind   opKind
	code   uint16
	k      uint32
	jt, jf label
}

// assembler collects instructions with symbolic forward jumps and resolves
// them, turning conditional jumps longer than 255 instructions into a short
// conditional jump over unconditional ones (whose offset is 32-bit).
type assembler struct {
	ops    []asmOp
	labels int
}

func (a *assembler) newLabel() label {
	a.labels++
	return label(a.labels - 1)
}

// load emits "A = 32-bit word at off of seccomp_data".
func (a *assembler) load(off uint32) {
	a.ops = append(a.ops, asmOp{kind: kindPlain, code: opLoadAbsWord, k: off})
}

// and emits "A &= mask".
func (a *assembler) and(mask uint32) {
	a.ops = append(a.ops, asmOp{kind: kindPlain, code: opAndConst, k: mask})
}

// ret emits a return of a constant seccomp action.
func (a *assembler) ret(action uint32) {
	a.ops = append(a.ops, asmOp{kind: kindPlain, code: opRetConst, k: action})
}

// jump emits "if A <test> val goto jt else goto jf"; test is one of the
// opJump* conditional opcodes.
func (a *assembler) jump(test uint16, val uint32, jt, jf label) {
	a.ops = append(a.ops, asmOp{kind: kindCond, code: test, k: val, jt: jt, jf: jf})
}

func (a *assembler) mark(l label) { a.ops = append(a.ops, asmOp{kind: kindMark, jt: l}) }

// longForm is the size of a conditional jump that needs unconditional
// jumps: "jcond 0,1; ja jt; ja jf".
const longForm = 3

// assemble resolves the labels and returns the instructions.
func (a *assembler) assemble() ([]bpf.RawInstruction, error) {
	defined := make([]bool, a.labels)
	for _, op := range a.ops {
		if op.kind == kindMark {
			defined[op.jt] = true
		}
	}
	for _, op := range a.ops {
		if op.kind != kindCond {
			continue
		}
		for _, l := range []label{op.jt, op.jf} {
			if l != next && (l < 0 || int(l) >= a.labels || !defined[l]) {
				return nil, fmt.Errorf("jump to undefined label %d", l)
			}
		}
	}

	long := make([]bool, len(a.ops))
	pos := make([]int, len(a.ops)+1)
	at := make([]int, a.labels)
	target := func(i int, l label) int {
		if l == next {
			return pos[i+1]
		}
		return at[l]
	}
	// Lengthening a jump moves what follows it, which can put other jumps
	// out of reach: repeat until nothing grows. Jumps only ever grow, so
	// this ends.
	for {
		n := 0
		for i, op := range a.ops {
			pos[i] = n
			switch {
			case op.kind == kindMark:
				at[op.jt] = n
			case long[i]:
				n += longForm
			default:
				n++
			}
		}
		pos[len(a.ops)] = n
		grew := false
		for i, op := range a.ops {
			if op.kind != kindCond || long[i] {
				continue
			}
			if target(i, op.jt)-pos[i]-1 > maxShortJump || target(i, op.jf)-pos[i]-1 > maxShortJump {
				long[i] = true
				grew = true
			}
		}
		if !grew {
			break
		}
	}

	out := make([]bpf.RawInstruction, 0, pos[len(a.ops)])
	for i, op := range a.ops {
		switch {
		case op.kind == kindMark:
		case op.kind == kindPlain:
			out = append(out, bpf.RawInstruction{Op: op.code, K: op.k})
		case long[i]:
			jt, jf := target(i, op.jt)-pos[i]-2, target(i, op.jf)-pos[i]-3
			if jt < 0 || jf < 0 {
				return nil, fmt.Errorf("backward jump at instruction %d", pos[i])
			}
			out = append(out,
				bpf.RawInstruction{Op: op.code, K: op.k, Jt: 0, Jf: 1},
				bpf.RawInstruction{Op: opJumpAlways, K: uint32(jt)},
				bpf.RawInstruction{Op: opJumpAlways, K: uint32(jf)})
		default:
			jt, jf := target(i, op.jt)-pos[i]-1, target(i, op.jf)-pos[i]-1
			if jt < 0 || jf < 0 {
				return nil, fmt.Errorf("backward jump at instruction %d", pos[i])
			}
			out = append(out, bpf.RawInstruction{Op: op.code, K: op.k, Jt: uint8(jt), Jf: uint8(jf)})
		}
	}
	return out, nil
}
