//go:build linux && amd64

package seccomp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// libseccompOps numbers the operators as enum scmp_compare does.
var libseccompOps = map[specs.LinuxSeccompOperator]int{
	specs.OpNotEqual: 1, specs.OpLessThan: 2, specs.OpLessEqual: 3, specs.OpEqualTo: 4,
	specs.OpGreaterEqual: 5, specs.OpGreaterThan: 6, specs.OpMaskedEqual: 7,
}

// buildExporter compiles testdata/libseccomp/export.c, or skips the test
// when gcc or libseccomp-dev is missing.
func buildExporter(t testing.TB) string {
	t.Helper()
	bin, err := compileExporter(t.TempDir())
	if err != nil {
		t.Skip(err)
	}
	return bin
}

// compileExporter compiles testdata/libseccomp/export.c into dir.
func compileExporter(dir string) (string, error) {
	if _, err := exec.LookPath("gcc"); err != nil {
		return "", errors.New("gcc is not installed: cannot compare with libseccomp")
	}
	bin := filepath.Join(dir, "export")
	out, err := exec.Command("gcc", "-O1", "-o", bin, "testdata/libseccomp/export.c", "-lseccomp").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("cannot build the libseccomp exporter (install libseccomp-dev): %w\n%s", err, out)
	}
	return bin, nil
}

// libseccompProgram builds cfg with libseccomp as runc does (rules equal to
// the default action dropped, repeated arguments split) and returns the
// exported program, without runc's -ENOSYS stub, and the syscall names
// libseccomp does not know.
func libseccompProgram(t testing.TB, exporter string, cfg *specs.LinuxSeccomp) ([]bpf.RawInstruction, map[string]bool) {
	t.Helper()
	def, err := action(cfg.DefaultAction, cfg.DefaultErrnoRet)
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	fmt.Fprintf(&in, "default %d\n", def)
	for _, a := range cfg.Architectures {
		switch a {
		case specs.ArchX86:
			in.WriteString("arch x86\n")
		case specs.ArchX32:
			in.WriteString("arch x32\n")
		}
	}
	for _, sc := range cfg.Syscalls {
		act, err := action(sc.Action, sc.ErrnoRet)
		if err != nil {
			t.Fatal(err)
		}
		if act == def {
			continue
		}
		rules, err := rulesOf(act, sc.Args)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range sc.Names {
			for _, r := range rules {
				fmt.Fprintf(&in, "rule %d %s %d", act, name, len(r.conds))
				for _, c := range r.conds {
					fmt.Fprintf(&in, " %d %d %d %d", c.index, libseccompOps[c.op], c.value, c.valueTwo)
				}
				in.WriteString("\n")
			}
		}
	}
	cmd := exec.Command(exporter)
	cmd.Stdin = strings.NewReader(in.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("libseccomp: %v: %s", err, stderr.Bytes())
	}
	raw := make([]bpf.RawInstruction, len(out)/8)
	for i := range raw {
		b := out[8*i:]
		raw[i] = bpf.RawInstruction{Op: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:])}
	}
	unknown := map[string]bool{}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if name, ok := strings.CutPrefix(line, "unknown "); ok {
			unknown[name] = true
		}
	}
	return raw, unknown
}

// probeArgs returns argument vectors around every value a syscall's
// conditions mention: equal, one off, with and without a high half.
func probeArgs(cfg *specs.LinuxSeccomp, name string) [][]uint64 {
	var perIndex [maxArgs][]uint64
	for _, sc := range cfg.Syscalls {
		if !slices.Contains(sc.Names, name) {
			continue
		}
		for _, a := range sc.Args {
			for _, v := range []uint64{a.Value, a.ValueTwo, a.Value | a.ValueTwo} {
				perIndex[a.Index] = append(perIndex[a.Index], v, v+1, v-1, v^1<<32, v&0xffffffff, v|1<<63)
			}
		}
	}
	if name == "socketcall" || name == "ipc" {
		// Every call number of the i386 multiplexers.
		for call := range uint64(26) {
			perIndex[0] = append(perIndex[0], call)
		}
	}
	vectors := [][]uint64{make([]uint64, maxArgs)}
	for i, values := range perIndex {
		if len(values) == 0 {
			continue
		}
		slices.Sort(values)
		values = slices.Compact(values)
		var grown [][]uint64
		for _, vec := range vectors {
			for _, v := range values {
				n := slices.Clone(vec)
				n[i] = v
				grown = append(grown, n)
			}
		}
		vectors = grown
	}
	return vectors
}

// differsFromLibseccomp lists the test profiles on which ward deliberately
// differs from libseccomp, and why; they are left out of the comparison,
// and TestCompile holds ward to its own documented behaviour on them.
var differsFromLibseccomp = map[string]string{
	"overlap.json": "overlapping conditional rules with different actions: ward takes the first listed, " +
		"libseccomp orders them by its rule tree (argument index, operator)",
}

// TestAgainstLibseccomp runs the programs of both compilers on every
// syscall number of every ABI, with arguments probing each condition, and
// requires the same action as runc's filter: runc's -ENOSYS stub, then
// libseccomp's program. Syscalls newer than the installed libseccomp, which
// runc would skip and ward, whose table is newer, filters, are left out.
func TestAgainstLibseccomp(t *testing.T) {
	exporter := buildExporter(t)
	profiles := map[string]func() (*specs.LinuxSeccomp, error){
		"docker-caps":           func() (*specs.LinuxSeccomp, error) { return dockerDefault(dockerCaps(t)) },
		"docker-caps+sys-admin": func() (*specs.LinuxSeccomp, error) { return dockerDefault(append(dockerCaps(t), "CAP_SYS_ADMIN")) },
		"docker-no-caps":        func() (*specs.LinuxSeccomp, error) { return dockerDefault(nil) },
	}
	files, err := filepath.Glob("testdata/profiles/*.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, ok := differsFromLibseccomp[filepath.Base(f)]; ok {
			continue // ward's own behaviour there is TestCompile's
		}
		profiles[filepath.Base(f)] = func() (*specs.LinuxSeccomp, error) {
			return loadProfile(t, filepath.Join("profiles", filepath.Base(f))), nil
		}
	}
	for name, get := range profiles {
		t.Run(name, func(t *testing.T) {
			cfg, err := get()
			if err != nil {
				t.Fatal(err)
			}
			ours, err := Compile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			raw, unknown := libseccompProgram(t, exporter, cfg)
			theirs, ok := bpf.Disassemble(raw)
			if !ok {
				t.Fatal("cannot disassemble libseccomp's program")
			}
			t.Logf("ward %d instructions, libseccomp %d; unknown to libseccomp: %v", ours.Len(), len(theirs), slices.Sorted(maps.Keys(unknown)))
			vmOurs, err := bpf.NewVM(ours.Instructions())
			if err != nil {
				t.Fatal(err)
			}
			vmTheirs, err := bpf.NewVM(theirs)
			if err != nil {
				t.Fatal(err)
			}
			stub := newRuncStub(cfg)
			probes, mismatches := 0, 0
			// All three ABIs, listed or not: unlisted ones must meet the
			// bad-architecture action in both programs.
			for _, x := range []*abi{abiX86_64, abiX86, abiX32} {
				// Syscall -1 is what a tracer leaves to skip a call;
				// the others are numbers no kernel has yet.
				numbers := maps.Clone(x.syscalls())
				numbers["-1"] = 0xffffffff
				numbers["future"] = 100000
				numbers["future-x32"] = x32SyscallBit | 100000
				for sysName, nr := range numbers {
					if unknown[sysName] {
						continue
					}
					for _, args := range probeArgs(cfg, sysName) {
						in := seccompData(x.audit, nr, args)
						a, _ := vmOurs.Run(in)
						b, stubbed := stub.run(x.audit, nr)
						if !stubbed {
							b, _ = vmTheirs.Run(in)
						}
						probes++
						if a != b {
							mismatches++
							if mismatches <= 20 {
								t.Errorf("%s %s(%#x): ward %s, runc %s", x.arch, sysName, args, describe(uint32(a)), describe(uint32(b)))
							}
						}
					}
				}
			}
			// An architecture neither covers.
			in := seccompData(auditArchAArch64, 0, nil)
			a, _ := vmOurs.Run(in)
			b, _ := vmTheirs.Run(in)
			if probes++; a != b {
				mismatches++
				t.Errorf("aarch64: ward %s, libseccomp %s", describe(uint32(a)), describe(uint32(b)))
			}
			if mismatches > 0 {
				t.Errorf("%d of %d probes differ", mismatches, probes)
			}
			t.Logf("%d probes agree", probes)
		})
	}
}

// runcStub models the -ENOSYS stub runc puts before libseccomp's program
// (libcontainer/seccomp/patchbpf): for each architecture, a syscall above
// the highest one the config names returns ENOSYS. On x86_64 the x32 bit
// selects the x32 limit when x32 is listed and skips the stub when not.
type runcStub struct {
	enabled   bool
	max       map[*abi]uint32
	x32Listed bool
}

func newRuncStub(cfg *specs.LinuxSeccomp) runcStub {
	s := runcStub{
		enabled: !permissive(cfg.DefaultAction) &&
			(cfg.DefaultErrnoRet == nil || *cfg.DefaultErrnoRet != uint(unix.ENOSYS)),
		max:       map[*abi]uint32{},
		x32Listed: slices.Contains(cfg.Architectures, specs.ArchX32),
	}
	for _, x := range []*abi{abiX86_64, abiX86, abiX32} {
		if x != abiX86_64 && !slices.Contains(cfg.Architectures, x.arch) {
			continue
		}
		for _, sc := range cfg.Syscalls {
			for _, n := range sc.Names {
				if nr, ok := x.syscalls()[n]; ok && nr > s.max[x] {
					s.max[x] = nr
				}
			}
		}
	}
	return s
}

// run returns the stub's action and true when the stub decides.
func (s runcStub) run(audit, nr uint32) (int, bool) {
	if !s.enabled {
		return 0, false
	}
	var x *abi
	switch {
	case audit == auditArchI386:
		x = abiX86
	case audit == auditArchX86_64 && nr&x32SyscallBit == 0:
		x = abiX86_64
	case audit == auditArchX86_64 && s.x32Listed:
		x = abiX32
	default:
		return 0, false
	}
	if max, ok := s.max[x]; ok && nr > max {
		return int(retENOSYS), true
	}
	return 0, false
}
