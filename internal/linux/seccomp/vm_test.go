package seccomp

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// auditArchAArch64 stands for an architecture no filter here covers.
const auditArchAArch64 = 0xc00000b7

// seccompData lays out struct seccomp_data for the x/net/bpf interpreter.
// The interpreter loads 32-bit words in network (big-endian) order, the
// kernel in host order; writing each word big-endian makes the interpreter
// read the value the kernel would. The 64-bit arguments keep the host's
// little-endian word order: low half first.
func seccompData(arch, nr uint32, args []uint64) []byte {
	b := make([]byte, offArgs+8*maxArgs)
	binary.BigEndian.PutUint32(b[offNr:], nr)
	binary.BigEndian.PutUint32(b[offArch:], arch)
	for i, v := range args {
		binary.BigEndian.PutUint32(b[offArgs+8*i:], uint32(v))
		binary.BigEndian.PutUint32(b[offArgs+8*i+4:], uint32(v>>32))
	}
	return b
}

// evaluate runs a compiled filter in the interpreter for one syscall.
func evaluate(t testing.TB, p *Program, arch, nr uint32, args []uint64) uint32 {
	t.Helper()
	vm, err := bpf.NewVM(p.Instructions())
	if err != nil {
		t.Fatalf("interpreter rejects program: %v", err)
	}
	ret, err := vm.Run(seccompData(arch, nr, args))
	if err != nil {
		t.Fatalf("running program: %v", err)
	}
	return uint32(ret)
}

// describe names a seccomp return value, e.g. "ERRNO(EPERM)".
func describe(ret uint32) string {
	data := ret & retData
	switch ret &^ retData {
	case retKillProcess:
		return "KILL_PROCESS"
	case retKillThread:
		return "KILL_THREAD"
	case retTrap:
		return "TRAP"
	case retErrno:
		return fmt.Sprintf("ERRNO(%s)", unix.ErrnoName(unix.Errno(data)))
	case retTrace:
		return fmt.Sprintf("TRACE(%d)", data)
	case retLog:
		return "LOG"
	case retAllow:
		return "ALLOW"
	}
	return fmt.Sprintf("%#x", ret)
}

func errnoAction(e unix.Errno) string { return describe(retErrno | uint32(e)) }

// loadProfile reads an OCI seccomp config from testdata.
func loadProfile(t testing.TB, name string) *specs.LinuxSeccomp {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var cfg specs.LinuxSeccomp
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	return &cfg
}

// call is one syscall as a filter sees it, named for readable tables.
type call struct {
	arch specs.Arch // SCMP_ARCH_X86_64 when empty
	name string
	nr   uint32 // used when name is empty
	args []uint64
	// audit overrides the architecture seccomp_data reports.
	audit uint32
}

func (c call) String() string {
	s := c.name
	if s == "" {
		s = fmt.Sprintf("nr%d", c.nr)
	}
	if c.arch != "" {
		s += "@" + string(c.arch)
	}
	if c.audit != 0 {
		s += fmt.Sprintf("@audit%#x", c.audit)
	}
	return fmt.Sprintf("%s%#x", s, c.args)
}

// run evaluates one call, resolving its name on its architecture.
func (c call) run(t testing.TB, p *Program) string {
	t.Helper()
	arch := c.arch
	if arch == "" {
		arch = specs.ArchX86_64
	}
	nr := c.nr
	if c.name != "" {
		var ok bool
		if nr, ok = SyscallNumber(arch, c.name); !ok {
			t.Fatalf("no syscall %s on %s", c.name, arch)
		}
	}
	audit := uint32(auditArchX86_64)
	if arch == specs.ArchX86 {
		audit = auditArchI386
	}
	if c.audit != 0 {
		audit = c.audit
	}
	return describe(evaluate(t, p, audit, nr, c.args))
}
