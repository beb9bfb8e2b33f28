package seccomp

import (
	"errors"
	"fmt"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// maxInstructions is BPF_MAXINSNS, the most instructions the kernel accepts
// in one classic BPF program.
const maxInstructions = 4096

// maxArgs is the number of syscall arguments in seccomp_data.
const maxArgs = 6

// Offsets in struct seccomp_data { int nr; __u32 arch; __u64
// instruction_pointer; __u64 args[6]; } on a little-endian host.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// Program is a compiled seccomp filter, ready to load.
type Program struct {
	raw     []bpf.RawInstruction
	flags   Flag
	skipped []string
}

// Instructions returns the filter's classic BPF instructions, for
// inspection and interpretation. They read struct seccomp_data in host
// (little-endian) order.
func (p *Program) Instructions() []bpf.Instruction {
	insns, _ := bpf.Disassemble(p.raw) // every opcode emitted has a decoding
	return insns
}

// Len returns the number of instructions.
func (p *Program) Len() int { return len(p.raw) }

// Flags returns the seccomp(2) flags the config asked for.
func (p *Program) Flags() Flag { return p.flags }

// Skipped returns, in config order, the syscall names the config lists that
// none of the filtered architectures has; their rules were dropped.
func (p *Program) Skipped() []string { return p.skipped }

// condition is one argument comparison of a rule.
type condition struct {
	index    uint
	op       specs.LinuxSeccompOperator
	value    uint64
	valueTwo uint64
}

// rule is one alternative for a syscall: all conditions must hold for the
// action to be returned. A rule without conditions always matches.
type rule struct {
	action uint32
	conds  []condition
}

// Compile validates an OCI seccomp config and compiles it to a filter for an
// x86_64 host. The package documentation lists the semantics it reproduces
// from libseccomp and runc.
func Compile(cfg *specs.LinuxSeccomp) (*Program, error) {
	if cfg == nil {
		return nil, errors.New("seccomp config is missing")
	}
	def, err := action(cfg.DefaultAction, cfg.DefaultErrnoRet)
	if err != nil {
		return nil, fmt.Errorf("seccomp default action: %w", err)
	}
	if cfg.ListenerPath != "" {
		return nil, fmt.Errorf("seccomp listenerPath %s: SCMP_ACT_NOTIFY is not supported", cfg.ListenerPath)
	}
	p := &Program{}
	for _, f := range cfg.Flags {
		v, err := flag(f)
		if err != nil {
			return nil, err
		}
		p.flags |= v
	}
	abis, err := selectABIs(cfg.Architectures)
	if err != nil {
		return nil, err
	}

	c := &compiler{def: def, abis: abis, rules: map[*abi][][]rule{}, max: map[*abi]uint32{}}
	for _, a := range abis {
		c.rules[a] = make([][]rule, a.span())
	}
	skipped := map[string]bool{}
	for i, sc := range cfg.Syscalls {
		if err := c.add(sc); err != nil {
			return nil, fmt.Errorf("seccomp syscalls[%d] %v: %w", i, sc.Names, err)
		}
		for _, name := range sc.Names {
			if !c.known(name) && !skipped[name] {
				skipped[name] = true
				p.skipped = append(p.skipped, name)
			}
		}
	}
	// runc's -ENOSYS stub, see the package documentation.
	c.enosys = !permissive(cfg.DefaultAction) &&
		(cfg.DefaultErrnoRet == nil || *cfg.DefaultErrnoRet != uint(unix.ENOSYS))

	if p.raw, err = c.program(); err != nil {
		return nil, fmt.Errorf("assembling seccomp filter: %w", err)
	}
	if len(p.raw) > maxInstructions {
		return nil, fmt.Errorf("seccomp filter has %d instructions, more than the kernel's limit of %d", len(p.raw), maxInstructions)
	}
	return p, nil
}

// selectABIs returns the ABIs to filter: x86_64 always (libseccomp always
// keeps the native architecture), i386 and x32 when listed.
func selectABIs(arches []specs.Arch) ([]*abi, error) {
	abis := []*abi{abiX86_64}
	for _, a := range arches {
		switch {
		case a == specs.ArchX86_64:
		case a == specs.ArchX86 || a == specs.ArchX32:
			candidate := abiX86
			if a == specs.ArchX32 {
				candidate = abiX32
			}
			if !slices.Contains(abis, candidate) {
				abis = append(abis, candidate)
			}
		case foreignArches[a]:
		default:
			return nil, fmt.Errorf("unknown seccomp architecture %q", a)
		}
	}
	return abis, nil
}

type compiler struct {
	def    uint32
	abis   []*abi
	rules  map[*abi][][]rule // by ABI and syscall number less the ABI's base, config order
	max    map[*abi]uint32   // highest syscall number named, for the -ENOSYS stub
	enosys bool
	asm    assembler
}

func (c *compiler) known(name string) bool {
	if _, ok := multiplexed[name]; ok && slices.Contains(c.abis, abiX86) {
		return true
	}
	for _, a := range c.abis {
		if _, ok := a.syscalls()[name]; ok {
			return true
		}
	}
	return false
}

// add validates one syscall entry and records its rules for every ABI that
// has the named syscalls.
func (c *compiler) add(sc specs.LinuxSyscall) error {
	if len(sc.Names) == 0 {
		return errors.New("no syscall names")
	}
	act, err := action(sc.Action, sc.ErrnoRet)
	if err != nil {
		return err
	}
	rules, err := rulesOf(act, sc.Args)
	if err != nil {
		return err
	}
	for _, name := range sc.Names {
		if name == "" {
			return errors.New("empty syscall name")
		}
		for _, a := range c.abis {
			if m, ok := multiplexed[name]; ok && a == abiX86 && act != c.def {
				c.addMultiplexed(a.syscalls()[m.syscall], m.call, rules)
			}
			nr, ok := a.syscalls()[name]
			if !ok {
				continue
			}
			if nr > c.max[a] {
				c.max[a] = nr
			}
			// libseccomp refuses a rule whose action is the default
			// action; runc drops it.
			if act != c.def {
				c.rules[a][nr-a.base] = append(c.rules[a][nr-a.base], rules...)
			}
		}
	}
	return nil
}

// addMultiplexed adds the rules of an i386 socket or IPC call to its
// multiplexer as libseccomp does: the multiplexer's first argument must be
// the call number, and conditions on the call's first argument are dropped;
// the other conditions are kept as they are, though the multiplexer's
// arguments do not line up with the call's (they are behind a pointer).
func (c *compiler) addMultiplexed(mux, call uint32, rules []rule) {
	for _, r := range rules {
		conds := []condition{{index: 0, op: specs.OpEqualTo, value: uint64(call)}}
		for _, cd := range r.conds {
			if cd.index != 0 {
				conds = append(conds, cd)
			}
		}
		c.rules[abiX86][mux] = append(c.rules[abiX86][mux], rule{action: r.action, conds: conds}) // i386 base is 0
	}
}

// rulesOf validates the argument conditions of one entry and returns its
// rules: one rule ANDing them, or, when an argument is compared more than
// once, one rule per condition (runc's behaviour, see the package
// documentation).
func rulesOf(act uint32, args []specs.LinuxSeccompArg) ([]rule, error) {
	conds := make([]condition, 0, len(args))
	var seen [maxArgs]bool
	repeated := false
	for _, arg := range args {
		if arg.Index >= maxArgs {
			return nil, fmt.Errorf("argument index %d out of range 0-%d", arg.Index, maxArgs-1)
		}
		switch arg.Op {
		case specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpEqualTo,
			specs.OpGreaterEqual, specs.OpGreaterThan, specs.OpMaskedEqual:
		default:
			return nil, fmt.Errorf("unknown seccomp operator %q for argument %d", arg.Op, arg.Index)
		}
		repeated = repeated || seen[arg.Index]
		seen[arg.Index] = true
		conds = append(conds, condition{index: arg.Index, op: arg.Op, value: arg.Value, valueTwo: arg.ValueTwo})
	}
	if !repeated {
		return []rule{{action: act, conds: conds}}, nil
	}
	rules := make([]rule, len(conds))
	for i, cd := range conds {
		rules[i] = rule{action: act, conds: []condition{cd}}
	}
	return rules, nil
}

// program lays out the whole filter (see "Program layout" in the package
// documentation).
func (c *compiler) program() ([]bpf.RawInstruction, error) {
	a := &c.asm
	// About two instructions per syscall and ABI, more with conditions.
	a.ops = make([]asmOp, 0, 1024)
	badArch, enosys, defaultAction := a.newLabel(), a.newLabel(), a.newLabel()
	section := map[*abi]label{}
	for _, x := range c.abis {
		section[x] = a.newLabel()
	}
	_, hasX86 := section[abiX86]
	x32, hasX32 := section[abiX32]

	a.load(offArch)
	a.jump(opJumpEqual, auditArchX86_64, section[abiX86_64], next)
	if hasX86 {
		a.jump(opJumpEqual, auditArchI386, section[abiX86], next)
	}
	a.ret(retBadArch)

	for _, x := range c.abis {
		a.mark(section[x])
		a.load(offNr)
		if x == abiX86_64 {
			// x32 syscalls arrive with AUDIT_ARCH_X86_64 and the x32 bit.
			if hasX32 {
				a.jump(opJumpGreatEq, x32SyscallBit, x32, next)
			} else {
				// Like libseccomp, let syscall -1 (a tracer
				// skipping a call) meet the default action.
				rest := a.newLabel()
				a.jump(opJumpGreatEq, x32SyscallBit, next, rest)
				a.jump(opJumpEqual, 0xffffffff, defaultAction, badArch)
				a.mark(rest)
			}
		}
		if max, ok := c.max[x]; ok && c.enosys {
			a.jump(opJumpGreater, max, enosys, next)
		}
		c.tree(x, units(x.base, c.rules[x]))
	}
	a.mark(badArch)
	a.ret(retBadArch)
	a.mark(enosys)
	a.ret(retENOSYS)
	a.mark(defaultAction)
	a.ret(c.def)
	return a.assemble()
}

// unit is a run of syscall numbers lo..hi handled alike: either one
// syscall with conditional rules, or consecutive syscalls that all return
// the same action unconditionally.
type unit struct {
	lo, hi uint32
	rules  []rule // conditional rules; empty when action applies to the run
	action uint32
}

// units merges one ABI's rules, indexed by syscall number less base, into
// units in ascending order.
func units(base uint32, bySyscall [][]rule) []unit {
	var out []unit
	for i, rules := range bySyscall {
		if len(rules) == 0 {
			continue
		}
		nr := base + uint32(i)
		// An unconditional rule wins over conditional ones, as in
		// libseccomp's rule tree; the first one listed decides.
		first := slices.IndexFunc(rules, func(r rule) bool { return len(r.conds) == 0 })
		if first < 0 {
			out = append(out, unit{lo: nr, hi: nr, rules: rules})
			continue
		}
		act := rules[first].action
		if n := len(out); n > 0 && len(out[n-1].rules) == 0 && out[n-1].action == act && out[n-1].hi+1 == nr {
			out[n-1].hi = nr
			continue
		}
		out = append(out, unit{lo: nr, hi: nr, action: act})
	}
	return out
}

// leafUnits is how many units a leaf of the search tree tests linearly.
const leafUnits = 4

// tree emits a binary search over sorted units with the syscall number in
// A. Every path ends in a return, the default action when nothing matches.
func (c *compiler) tree(x *abi, us []unit) {
	a := &c.asm
	if len(us) <= leafUnits {
		for _, u := range us {
			c.unit(x, u)
		}
		a.ret(c.def)
		return
	}
	mid := len(us) / 2
	right := a.newLabel()
	a.jump(opJumpGreatEq, us[mid].lo, right, next)
	c.tree(x, us[:mid])
	a.mark(right)
	c.tree(x, us[mid:])
}

// unit emits the test of one unit; when the number does not match, it
// falls through with A unchanged.
func (c *compiler) unit(x *abi, u unit) {
	a := &c.asm
	skip := a.newLabel()
	switch {
	case len(u.rules) == 0 && u.lo == u.hi:
		a.jump(opJumpEqual, u.lo, next, skip)
		a.ret(u.action)
	case len(u.rules) == 0:
		a.jump(opJumpGreatEq, u.lo, next, skip)
		a.jump(opJumpGreater, u.hi, skip, next)
		a.ret(u.action)
	default:
		a.jump(opJumpEqual, u.lo, next, skip)
		for _, r := range u.rules {
			fail := a.newLabel()
			for _, cd := range r.conds {
				c.condition(x, cd, fail)
			}
			a.ret(r.action)
			a.mark(fail)
		}
		a.ret(c.def)
	}
	a.mark(skip)
}

// condition emits one argument comparison that falls through when it holds
// and jumps to fail when it does not. On 64-bit ABIs it compares the high
// halves first and the low halves only when the high halves are equal; BPF
// comparisons are unsigned, as libseccomp's are.
func (c *compiler) condition(x *abi, cd condition, fail label) {
	a := &c.asm
	lo := uint32(offArgs + 8*cd.index)
	hi := lo + 4
	vlo, vhi := uint32(cd.value), uint32(cd.value>>32)
	dlo, dhi := uint32(cd.valueTwo), uint32(cd.valueTwo>>32)

	if x.args32 {
		a.load(lo)
		switch cd.op {
		case specs.OpEqualTo:
			a.jump(opJumpEqual, vlo, next, fail)
		case specs.OpNotEqual:
			a.jump(opJumpEqual, vlo, fail, next)
		case specs.OpGreaterThan:
			a.jump(opJumpGreater, vlo, next, fail)
		case specs.OpGreaterEqual:
			a.jump(opJumpGreatEq, vlo, next, fail)
		case specs.OpLessThan:
			a.jump(opJumpGreatEq, vlo, fail, next)
		case specs.OpLessEqual:
			a.jump(opJumpGreater, vlo, fail, next)
		case specs.OpMaskedEqual:
			a.and(vlo)
			a.jump(opJumpEqual, dlo, next, fail)
		}
		return
	}

	pass := a.newLabel()
	a.load(hi)
	switch cd.op {
	case specs.OpEqualTo:
		a.jump(opJumpEqual, vhi, next, fail)
		a.load(lo)
		a.jump(opJumpEqual, vlo, next, fail)
	case specs.OpNotEqual:
		a.jump(opJumpEqual, vhi, next, pass)
		a.load(lo)
		a.jump(opJumpEqual, vlo, fail, next)
	case specs.OpGreaterThan, specs.OpGreaterEqual:
		a.jump(opJumpGreater, vhi, pass, next)
		a.jump(opJumpEqual, vhi, next, fail)
		a.load(lo)
		test := opJumpGreater
		if cd.op == specs.OpGreaterEqual {
			test = opJumpGreatEq
		}
		a.jump(test, vlo, next, fail)
	case specs.OpLessThan, specs.OpLessEqual:
		a.jump(opJumpGreater, vhi, fail, next)
		a.jump(opJumpEqual, vhi, next, pass)
		a.load(lo)
		// a < v is not (a >= v); a <= v is not (a > v).
		test := opJumpGreatEq
		if cd.op == specs.OpLessEqual {
			test = opJumpGreater
		}
		a.jump(test, vlo, fail, next)
	case specs.OpMaskedEqual:
		a.and(vhi)
		a.jump(opJumpEqual, dhi, next, fail)
		a.load(lo)
		a.and(vlo)
		a.jump(opJumpEqual, dlo, next, fail)
	}
	a.mark(pass)
}
