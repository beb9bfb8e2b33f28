package seccomp

import (
	"testing"

	"golang.org/x/net/bpf"
)

// TestAssemblerLongJumps jumps from one conditional jump to two targets
// beyond classic BPF's 8-bit reach and checks both are reached.
func TestAssemblerLongJumps(t *testing.T) {
	tests := []struct {
		name         string
		before, gap  int // filler before the first target, and between targets
		wantLongForm bool
	}{
		{"short", 10, 10, false},
		{"true side far", 300, 10, true},
		{"false side far", 10, 300, true},
		{"both far", 300, 300, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a assembler
			yes, no := a.newLabel(), a.newLabel()
			a.load(offNr)
			a.jump(opJumpEqual, 7, yes, no)
			for range tt.before {
				a.load(offNr)
			}
			a.ret(1)
			a.mark(yes)
			a.ret(2)
			for range tt.gap {
				a.load(offNr)
			}
			a.ret(1)
			a.mark(no)
			a.ret(3)
			raw, err := a.assemble()
			if err != nil {
				t.Fatal(err)
			}
			if longForm := len(raw) > tt.before+tt.gap+6; longForm != tt.wantLongForm {
				t.Errorf("%d instructions: long form %v, want %v", len(raw), longForm, tt.wantLongForm)
			}
			p := &Program{raw: raw}
			vm, err := bpf.NewVM(p.Instructions())
			if err != nil {
				t.Fatal(err)
			}
			for nr, want := range map[uint32]int{7: 2, 8: 3} {
				got, err := vm.Run(seccompData(auditArchX86_64, nr, nil))
				if err != nil || got != want {
					t.Errorf("nr %d: returned %d (%v), want %d", nr, got, err, want)
				}
			}
		})
	}
}

func TestAssemblerUndefinedLabel(t *testing.T) {
	var a assembler
	a.jump(opJumpEqual, 1, a.newLabel(), next)
	a.ret(0)
	if _, err := a.assemble(); err == nil {
		t.Error("jump to a label never marked assembled")
	}
}

func TestSyscallNameX86_64(t *testing.T) {
	for nr, want := range map[uint32]string{0: "read", 59: "execve", 317: "seccomp", 231: "exit_group"} {
		if got, ok := SyscallNameX86_64(nr); !ok || got != want {
			t.Errorf("SyscallNameX86_64(%d) = %q, %v; want %q", nr, got, ok, want)
		}
	}
	if _, ok := SyscallNameX86_64(100000); ok {
		t.Error("an unknown number has a name")
	}
}
