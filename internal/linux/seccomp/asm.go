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

// asmOp is one entry of a program under construction: a plain instruction,
// a conditional jump to labels, an unconditional jump, or a label's position.
type asmOp struct {
	insn   bpf.Instruction // plain instruction when not nil
	cond   bpf.JumpTest    // conditional jump when isCond
	isCond bool
	val    uint32
	jt, jf label
	ja     label // unconditional jump when isJump
	isJump bool
	mark   label // label definition when isMark
	isMark bool
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

func (a *assembler) emit(insn bpf.Instruction) { a.ops = append(a.ops, asmOp{insn: insn}) }

// jump emits "if A <cond> val goto jt else goto jf".
func (a *assembler) jump(cond bpf.JumpTest, val uint32, jt, jf label) {
	a.ops = append(a.ops, asmOp{isCond: true, cond: cond, val: val, jt: jt, jf: jf})
}

func (a *assembler) jumpTo(l label) { a.ops = append(a.ops, asmOp{isJump: true, ja: l}) }

func (a *assembler) mark(l label) { a.ops = append(a.ops, asmOp{isMark: true, mark: l}) }

// ret emits a return of a constant seccomp action.
func (a *assembler) ret(action uint32) { a.emit(bpf.RetConstant{Val: action}) }

// longForm is the size of a conditional jump that needs unconditional
// jumps: "jcond 0,1; ja jt; ja jf".
const longForm = 3

// assemble resolves the labels and returns the instructions.
func (a *assembler) assemble() ([]bpf.Instruction, error) {
	long := make([]bool, len(a.ops))
	pos := make([]int, len(a.ops)+1)
	at := make([]int, a.labels)
	target := func(i int, l label) int {
		if l == next {
			return pos[i+1]
		}
		return at[l]
	}
	defined := make([]bool, a.labels)
	for _, op := range a.ops {
		if op.isMark {
			defined[op.mark] = true
		}
	}
	for _, op := range a.ops {
		var refs []label
		switch {
		case op.isCond:
			refs = []label{op.jt, op.jf}
		case op.isJump:
			refs = []label{op.ja}
		}
		for _, l := range refs {
			if l != next && (l < 0 || int(l) >= a.labels || !defined[l]) {
				return nil, fmt.Errorf("jump to undefined label %d", l)
			}
		}
	}
	for {
		n := 0
		for i, op := range a.ops {
			pos[i] = n
			switch {
			case op.isMark:
				at[op.mark] = n
			case op.isCond && long[i]:
				n += longForm
			default:
				n++
			}
		}
		pos[len(a.ops)] = n
		grew := false
		for i, op := range a.ops {
			if op.isMark {
				continue
			}
			if !op.isCond || long[i] {
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

	out := make([]bpf.Instruction, 0, pos[len(a.ops)])
	for i, op := range a.ops {
		switch {
		case op.isMark:
		case op.isJump:
			skip := target(i, op.ja) - pos[i] - 1
			if skip < 0 {
				return nil, fmt.Errorf("backward jump at instruction %d", pos[i])
			}
			out = append(out, bpf.Jump{Skip: uint32(skip)})
		case op.isCond && long[i]:
			jt, jf := target(i, op.jt)-pos[i]-2, target(i, op.jf)-pos[i]-3
			if jt < 0 || jf < 0 {
				return nil, fmt.Errorf("backward jump at instruction %d", pos[i])
			}
			out = append(out,
				bpf.JumpIf{Cond: op.cond, Val: op.val, SkipTrue: 0, SkipFalse: 1},
				bpf.Jump{Skip: uint32(jt)},
				bpf.Jump{Skip: uint32(jf)})
		case op.isCond:
			jt, jf := target(i, op.jt)-pos[i]-1, target(i, op.jf)-pos[i]-1
			if jt < 0 || jf < 0 {
				return nil, fmt.Errorf("backward jump at instruction %d", pos[i])
			}
			out = append(out, bpf.JumpIf{Cond: op.cond, Val: op.val, SkipTrue: uint8(jt), SkipFalse: uint8(jf)})
		default:
			out = append(out, op.insn)
		}
	}
	return out, nil
}
