package seccomp

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

const (
	hi1  = 1 << 32 // a value only the high half of an argument carries
	five = hi1 + 5 // the operand of the comparisons in args64.json
)

func TestCompile(t *testing.T) {
	allow, eperm, exdev := "ALLOW", errnoAction(unix.EPERM), errnoAction(unix.EXDEV)
	tests := []struct {
		profile string
		calls   []call
		want    []string
	}{
		{
			profile: "default-errno.json",
			calls: []call{
				{name: "read"},
				{name: "write"},
				{name: "getpid"},
				// Above the highest syscall named: runc's -ENOSYS stub.
				{name: "rseq_slice_yield"},
				{nr: 100000},
				// Architectures the filter does not cover.
				{nr: 0, audit: auditArchAArch64},
				{nr: 3, audit: auditArchI386},
				{nr: x32SyscallBit | 0},
			},
			want: []string{allow, allow, eperm, errnoAction(unix.ENOSYS), errnoAction(unix.ENOSYS),
				"KILL_THREAD", "KILL_THREAD", "KILL_THREAD"},
		},
		{
			profile: "errnoret.json",
			calls:   []call{{name: "getcwd"}, {name: "mkdir"}, {name: "read"}, {name: "chdir"}, {name: "getpid"}},
			want:    []string{exdev, eperm, errnoAction(unix.EACCES), allow, errnoAction(unix.EACCES)},
		},
		{
			// defaultErrnoRet ENOSYS: runc adds no stub, new syscalls get the default.
			profile: "enosys-default.json",
			calls:   []call{{name: "read"}, {name: "getpid"}, {nr: 100000}},
			want:    []string{allow, errnoAction(unix.ENOSYS), errnoAction(unix.ENOSYS)},
		},
		{
			profile: "args64.json",
			calls: []call{
				{name: "getpriority", args: []uint64{0, hi1}},
				{name: "getpriority", args: []uint64{0, 0}},
				{name: "getpriority", args: []uint64{0, hi1 + 1}},
				{name: "getpriority", args: []uint64{0, 2 * hi1}},
				{name: "setpriority", args: []uint64{hi1}},
				{name: "setpriority", args: []uint64{0}},
				{name: "setpriority", args: []uint64{hi1 | 1}},
				{name: "dup", args: []uint64{five + 1}},
				{name: "dup", args: []uint64{five}},
				{name: "dup", args: []uint64{2 * hi1}},
				{name: "dup", args: []uint64{0xffffffff}},
				{name: "dup2", args: []uint64{five}},
				{name: "dup2", args: []uint64{five - 1}},
				{name: "dup2", args: []uint64{2 * hi1}},
				{name: "dup2", args: []uint64{0xffffffff}},
				{name: "dup3", args: []uint64{five - 1}},
				{name: "dup3", args: []uint64{five}},
				{name: "dup3", args: []uint64{0xffffffff}},
				{name: "dup3", args: []uint64{2 * hi1}},
				{name: "close", args: []uint64{five}},
				{name: "close", args: []uint64{five + 1}},
				{name: "close", args: []uint64{0}},
				{name: "close", args: []uint64{2 * hi1}},
				{name: "fcntl", args: []uint64{0, 0, 0, 0, 0, 0x01abcdef12345602}},
				{name: "fcntl", args: []uint64{0, 0, 0, 0, 0, 0x0200000000000002}},
				{name: "fcntl", args: []uint64{0, 0, 0, 0, 0, 0x0100000000000003}},
				{name: "fcntl", args: []uint64{0, 0, 0, 0, 0x0100000000000002, 0}},
			},
			want: []string{
				exdev, allow, allow, allow,
				allow, exdev, exdev,
				exdev, allow, exdev, allow,
				exdev, allow, exdev, allow,
				exdev, allow, exdev, allow,
				exdev, allow, exdev, allow,
				exdev, allow, allow, allow,
			},
		},
		{
			profile: "rules.json",
			calls: []call{
				{name: "read"},
				{name: "read", arch: specs.ArchX86},
				{name: "read", arch: specs.ArchX32},
				{name: "chown32", arch: specs.ArchX86},
				{name: "chown", arch: specs.ArchX86},
				// Multiple arguments in one rule are ANDed.
				{name: "socket", args: []uint64{2, 1}},
				{name: "socket", args: []uint64{2, 2}},
				{name: "socket", args: []uint64{10, 1}},
				// Several rules for one syscall are ORed.
				{name: "personality", args: []uint64{0}},
				{name: "personality", args: []uint64{8}},
				{name: "personality", args: []uint64{1}},
				// Two conditions on one argument become two rules, as in runc.
				{name: "ioctl", args: []uint64{1, 0x5401}},
				{name: "ioctl", args: []uint64{1, 0x5413}},
				{name: "ioctl", args: []uint64{1, 0x5402}},
				// An unconditional rule overrides conditional ones.
				{name: "kill", args: []uint64{1, 0}},
				{name: "kill", args: []uint64{1, 9}},
				// On 32-bit ABIs only the low half of an argument is compared.
				{name: "prctl", args: []uint64{hi1}},
				{name: "prctl", args: []uint64{1}},
				{name: "prctl", arch: specs.ArchX86, args: []uint64{hi1}},
				{name: "prctl", arch: specs.ArchX32, args: []uint64{hi1}},
			},
			want: []string{
				allow, allow, allow, allow, eperm,
				allow, eperm, eperm,
				allow, allow, eperm,
				allow, allow, eperm,
				"TRAP", "TRAP",
				errnoAction(unix.EINVAL), eperm, eperm, eperm,
			},
		},
		{
			profile: "i386-multiplex.json",
			calls: []call{
				{name: "socket", arch: specs.ArchX86},
				{name: "socketcall", arch: specs.ArchX86, args: []uint64{1}},
				{name: "socketcall", arch: specs.ArchX86, args: []uint64{9}},
				{name: "socketcall", arch: specs.ArchX86, args: []uint64{2}},
				// connect's condition on its first argument cannot
				// apply to socketcall, whose first argument is the call.
				{name: "connect", arch: specs.ArchX86, args: []uint64{5}},
				{name: "connect", arch: specs.ArchX86, args: []uint64{6}},
				{name: "socketcall", arch: specs.ArchX86, args: []uint64{3}},
				{name: "msgget", arch: specs.ArchX86},
				{name: "ipc", arch: specs.ArchX86, args: []uint64{13}},
				{name: "ipc", arch: specs.ArchX86, args: []uint64{1}},
				{name: "ipc", arch: specs.ArchX86, args: []uint64{21}},
				{name: "ipc", arch: specs.ArchX86, args: []uint64{14}},
				{name: "socket"},
				// Syscall -1 meets the default action, not the stub or a kill.
				{nr: 0xffffffff},
			},
			want: []string{allow, allow, allow, eperm, allow, eperm, allow, allow, allow, allow,
				errnoAction(unix.EINVAL), eperm, allow, eperm},
		},
		{
			// Overlapping conditional rules: the first listed decides.
			profile: "overlap.json",
			calls: []call{
				{name: "getpriority", args: []uint64{1, 2}},
				{name: "getpriority", args: []uint64{0, 2}},
				{name: "setpriority", args: []uint64{1, 2}},
				{name: "setpriority", args: []uint64{1, 0}},
				{name: "dup2", args: []uint64{1}},
				{name: "dup2", args: []uint64{2}},
				{name: "dup3", args: []uint64{1}},
				{name: "dup3", args: []uint64{0}},
			},
			want: []string{eperm, errnoAction(unix.ENOENT), errnoAction(unix.ENOENT), eperm,
				eperm, errnoAction(unix.ENOENT), errnoAction(unix.ENOENT), allow},
		},
		{
			profile: "actions.json",
			calls: []call{{name: "kexec_load"}, {name: "reboot"}, {name: "acct"}, {name: "swapon"},
				{name: "swapoff"}, {name: "syslog"}, {name: "uselib"}, {name: "getpid"}, {name: "getppid"}, {nr: 100000}},
			want: []string{"KILL_THREAD", "KILL_THREAD", "KILL_PROCESS", "TRAP",
				"TRACE(7)", "TRACE(1)", "LOG", allow, allow, allow},
		},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.profile, ".json"), func(t *testing.T) {
			if len(tt.calls) != len(tt.want) {
				t.Fatalf("table has %d calls and %d results", len(tt.calls), len(tt.want))
			}
			p, err := Compile(loadProfile(t, filepath.Join("profiles", tt.profile)))
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range tt.calls {
				if got := c.run(t, p); got != tt.want[i] {
					t.Errorf("%v: got %s, want %s", c, got, tt.want[i])
				}
			}
		})
	}
}

func TestCompileSkipsUnknownNames(t *testing.T) {
	p, err := Compile(loadProfile(t, "profiles/rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	// chown32 exists on i386 only and is filtered there, so it is not skipped.
	if got, want := p.Skipped(), []string{"no_such_syscall"}; !slices.Equal(got, want) {
		t.Errorf("skipped %v, want %v", got, want)
	}
}

func TestCompileFlags(t *testing.T) {
	p, err := Compile(loadProfile(t, "profiles/actions.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Flags(), FlagTSync|FlagLog|FlagSpecAllow; got != want {
		t.Errorf("flags %#x, want %#x", got, want)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		file string
		want string // part of the error message
	}{
		{"unknown-action.json", `unknown seccomp action "SCMP_ACT_FOO"`},
		{"unknown-default-action.json", `unknown seccomp action "SCMP_ACT_BAR"`},
		{"no-default.json", "seccomp default action: seccomp action is missing"},
		{"notify.json", "SCMP_ACT_NOTIFY is not supported"},
		{"listener.json", "SCMP_ACT_NOTIFY is not supported"},
		{"unknown-op.json", `unknown seccomp operator "SCMP_CMP_XX"`},
		{"arg-index.json", "argument index 6 out of range"},
		{"unknown-arch.json", `unknown seccomp architecture "SCMP_ARCH_VAX"`},
		{"unknown-flag.json", `unknown seccomp flag "SECCOMP_FILTER_FLAG_BOGUS"`},
		{"no-names.json", "no syscall names"},
		{"errnoret-range.json", "errnoRet 70000"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".json"), func(t *testing.T) {
			_, err := Compile(loadProfile(t, filepath.Join("invalid", tt.file)))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := Compile(nil); err == nil {
		t.Error("Compile(nil) succeeded")
	}
}

// TestCompileEverySyscall gives every x86_64 syscall its own conditional
// rule, which makes the program long enough for jumps beyond classic BPF's
// 255-instruction reach, and checks each syscall.
func TestCompileEverySyscall(t *testing.T) {
	cfg := &specs.LinuxSeccomp{DefaultAction: specs.ActErrno}
	for name, nr := range syscallsX86_64() {
		// The rule allows the call when arg0 is its own number, so a rule
		// reached through a wrong jump shows.
		cfg.Syscalls = append(cfg.Syscalls, specs.LinuxSyscall{
			Names:  []string{name},
			Action: specs.ActAllow,
			Args:   []specs.LinuxSeccompArg{{Index: 0, Value: uint64(nr), Op: specs.OpEqualTo}},
		})
	}
	p, err := Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	long := 0
	for _, insn := range p.Instructions() {
		if _, ok := insn.(bpf.Jump); ok {
			long++
		}
	}
	if long == 0 {
		t.Fatalf("%d instructions and no long jump: the test no longer covers them", p.Len())
	}
	for name, nr := range syscallsX86_64() {
		c := call{name: name, args: []uint64{uint64(nr)}}
		if got := c.run(t, p); got != "ALLOW" {
			t.Errorf("%v: got %s, want ALLOW", c, got)
		}
		c.args = []uint64{uint64(nr) + 1<<20}
		if got := c.run(t, p); got != errnoAction(unix.EPERM) {
			t.Errorf("%v: got %s, want ERRNO(EPERM)", c, got)
		}
	}
}
