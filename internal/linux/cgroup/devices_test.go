package cgroup

import (
	"fmt"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestDeviceRule(t *testing.T) {
	tests := []struct {
		name    string
		in      specs.LinuxDeviceCgroup
		want    string
		wantErr bool
	}{
		{name: "deny all", in: specs.LinuxDeviceCgroup{Access: "rwm"}, want: "a *:* rwm"},
		{name: "char null", in: specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "rwm"}, want: "c 1:3 rwm"},
		{name: "any minor", in: specs.LinuxDeviceCgroup{Type: "b", Major: ptr[int64](8), Access: "r"}, want: "b 8:* r"},
		{name: "wildcard -1", in: specs.LinuxDeviceCgroup{Type: "c", Major: ptr[int64](-1), Minor: ptr[int64](-1), Access: "m"}, want: "c *:* m"},
		{name: "empty access is all", in: specs.LinuxDeviceCgroup{Type: "c", Major: ptr[int64](136)}, want: "c 136:* rwm"},
		{name: "bad type", in: specs.LinuxDeviceCgroup{Type: "p"}, wantErr: true},
		{name: "bad access", in: specs.LinuxDeviceCgroup{Type: "c", Access: "rx"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DeviceRule(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %t", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// dockerDevices is the device list Docker puts in every config.json: deny
// everything, then allow the usual character devices.
func dockerDevices() []specs.LinuxDeviceCgroup {
	c := func(major, minor int64, access string) specs.LinuxDeviceCgroup {
		r := specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: ptr(major), Access: access}
		if minor >= 0 {
			r.Minor = ptr(minor)
		}
		return r
	}
	return []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		c(-1, -1, "m"), // c *:* m
		{Allow: true, Type: "b", Major: ptr[int64](-1), Minor: ptr[int64](-1), Access: "m"},
		c(1, 3, "rwm"), c(1, 5, "rwm"), c(1, 7, "rwm"), c(1, 8, "rwm"), c(1, 9, "rwm"),
		c(5, 0, "rwm"), c(5, 1, "rwm"), c(5, 2, "rwm"), c(136, -1, "rwm"),
		{Allow: false, Type: "c", Major: ptr[int64](10), Minor: ptr[int64](229), Access: "rwm"},
	}
}

// access is one device access the program must decide.
type access struct {
	typ          byte // 'b' or 'c'
	major, minor uint32
	bits         uint32
}

func (a access) String() string { return fmt.Sprintf("%c %d:%d %03b", a.typ, a.major, a.minor, a.bits) }

func TestDeviceProgram(t *testing.T) {
	deny := func(a ...specs.LinuxDeviceCgroup) []specs.LinuxDeviceCgroup { return a }
	tests := []struct {
		name  string
		rules []specs.LinuxDeviceCgroup
		allow []access
		deny  []access
	}{
		{
			name:  "docker default",
			rules: dockerDevices(),
			allow: []access{
				{'c', 1, 3, accRead | accWrite}, {'c', 136, 4, accRead}, {'c', 250, 0, accMknod},
				{'b', 8, 0, accMknod}, {'c', 5, 2, accRead | accWrite | accMknod},
			},
			deny: []access{
				{'c', 10, 229, accRead}, {'b', 8, 0, accRead}, {'c', 250, 0, accRead},
				{'c', 1, 4, accWrite}, {'c', 1, 3 + 256, accRead},
			},
		},
		{
			name:  "no rules allows all",
			allow: []access{{'b', 8, 0, accRead | accWrite}, {'c', 10, 229, accRead}},
		},
		{
			name:  "allow list: partial access is not enough",
			rules: deny(specs.LinuxDeviceCgroup{Access: "rwm"}, specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](3), Access: "r"}),
			allow: []access{{'c', 1, 3, accRead}},
			deny:  []access{{'c', 1, 3, accRead | accWrite}, {'b', 1, 3, accRead}},
		},
		{
			name: "deny list: any denied bit denies",
			rules: deny(
				specs.LinuxDeviceCgroup{Allow: true, Access: "rwm"},
				specs.LinuxDeviceCgroup{Type: "c", Major: ptr[int64](1), Minor: ptr[int64](5), Access: "w"},
			),
			allow: []access{{'c', 1, 5, accRead}, {'c', 1, 3, accWrite}},
			deny:  []access{{'c', 1, 5, accRead | accWrite}},
		},
		{
			name: "a later allow-all resets earlier denies",
			rules: deny(
				specs.LinuxDeviceCgroup{Type: "c", Major: ptr[int64](1), Minor: ptr[int64](5), Access: "w"},
				specs.LinuxDeviceCgroup{Allow: true, Type: "a"},
			),
			allow: []access{{'c', 1, 5, accWrite}},
		},
		{
			name: "an allow then deny of the same device removes it",
			rules: deny(
				specs.LinuxDeviceCgroup{Access: "rwm"},
				specs.LinuxDeviceCgroup{Allow: true, Type: "c", Major: ptr[int64](1), Minor: ptr[int64](9), Access: "rw"},
				specs.LinuxDeviceCgroup{Type: "c", Major: ptr[int64](1), Minor: ptr[int64](9), Access: "w"},
			),
			allow: []access{{'c', 1, 9, accRead}},
			deny:  []access{{'c', 1, 9, accWrite}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := newDeviceList(tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			prog := deviceProgram(l)
			for _, a := range tt.allow {
				if got := runDeviceProgram(t, prog, a); got != 1 {
					t.Errorf("%v denied, want allowed (list %v)", a, l)
				}
			}
			for _, a := range tt.deny {
				if got := runDeviceProgram(t, prog, a); got != 0 {
					t.Errorf("%v allowed, want denied (list %v)", a, l)
				}
			}
		})
	}
}

// runDeviceProgram interprets the few BPF instructions deviceProgram emits,
// on a bpf_cgroup_dev_ctx for the access, so the program's decisions are
// checked without loading it into a kernel.
func runDeviceProgram(t *testing.T, prog []bpfInsn, a access) int64 {
	t.Helper()
	typ := uint32(bpfDevcgDevChar)
	if a.typ == 'b' {
		typ = bpfDevcgDevBlock
	}
	ctx := [3]uint32{typ | a.bits<<16, a.major, a.minor}
	var reg [11]uint64
	for pc := 0; pc < len(prog); pc++ {
		i := prog[pc]
		dst, src := i.regs&0xf, i.regs>>4
		switch i.code {
		case opLdxW:
			if src != regCtx || i.off%4 != 0 || i.off < 0 || i.off > 8 {
				t.Fatalf("pc %d: load from r%d%+d", pc, src, i.off)
			}
			reg[dst] = uint64(ctx[i.off/4])
		case opAnd32K:
			reg[dst] = uint64(uint32(reg[dst]) & uint32(i.imm))
		case opRsh32K:
			reg[dst] = uint64(uint32(reg[dst]) >> uint32(i.imm))
		case opMov32X:
			reg[dst] = uint64(uint32(reg[src]))
		case opMov64K:
			reg[dst] = uint64(int64(i.imm))
		case opJeqK:
			if reg[dst] == uint64(int64(i.imm)) {
				pc += int(i.off)
			}
		case opJneK:
			if reg[dst] != uint64(int64(i.imm)) {
				pc += int(i.off)
			}
		case opExit:
			return int64(reg[regR0])
		default:
			t.Fatalf("pc %d: unexpected opcode %#x", pc, i.code)
		}
	}
	t.Fatal("program ran off its end")
	return -1
}
