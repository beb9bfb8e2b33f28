package seccomp

import (
	"os"
	"strings"
	"testing"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// dockerCaps reads Docker's default capability set from testdata.
func dockerCaps(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/docker-default-caps.txt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// dockerDefault is Docker's default profile for a container whose bounding
// set is caps: the compiler's main input in the field. The profile is data
// kept by the spec builder (runspec.DockerSeccomp); the compiler takes it
// here straight from moby's package so it does not import the builder.
func dockerDefault(caps []string) (*specs.LinuxSeccomp, error) {
	return mobyseccomp.GetDefaultProfile(&specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}})
}

// personality(2) values from <sys/personality.h>, which x/sys/unix lacks.
const (
	perLinux32       = 0x0008
	addrNoRandomize  = 0x0040000
	sigchld          = uint64(unix.SIGCHLD)
	newUserAndSignal = unix.CLONE_NEWUSER | sigchld
)

func TestDockerDefault(t *testing.T) {
	allow, eperm := "ALLOW", errnoAction(unix.EPERM)
	newUser := uint64(newUserAndSignal)
	// The expectations common to both capability sets.
	common := []struct {
		call call
		want string
	}{
		{call{name: "read"}, allow},
		{call{name: "keyctl"}, eperm},
		{call{name: "add_key"}, eperm},
		{call{name: "kexec_load"}, eperm},
		{call{name: "arch_prctl"}, allow},
		{call{name: "personality", args: []uint64{0}}, allow},
		{call{name: "personality", args: []uint64{perLinux32}}, allow},
		{call{name: "personality", args: []uint64{0xffffffff}}, allow},
		{call{name: "personality", args: []uint64{addrNoRandomize}}, eperm},
		{call{name: "personality", args: []uint64{1 << 32}}, eperm},
		{call{name: "clone", args: []uint64{sigchld}}, allow},
		{call{name: "socket", args: []uint64{unix.AF_INET, unix.SOCK_STREAM}}, allow},
		{call{name: "socket", args: []uint64{unix.AF_UNIX, unix.SOCK_STREAM}}, allow},
		{call{name: "socket", args: []uint64{unix.AF_NETLINK, unix.SOCK_RAW}}, allow},
		{call{name: "socket", args: []uint64{unix.AF_VSOCK, unix.SOCK_STREAM}}, eperm},
		{call{name: "socket", args: []uint64{unix.AF_ALG, unix.SOCK_SEQPACKET}}, eperm},
		{call{name: "read", arch: specs.ArchX86}, allow},
		{call{name: "chown32", arch: specs.ArchX86}, allow},
		{call{name: "socketcall", arch: specs.ArchX86}, allow},
		{call{name: "read", arch: specs.ArchX32}, allow},
		{call{nr: 0, audit: auditArchAArch64}, "KILL_THREAD"},
		{call{nr: 100000}, errnoAction(unix.ENOSYS)},
	}
	tests := []struct {
		name  string
		caps  []string
		extra []struct {
			call call
			want string
		}
	}{
		{
			name: "docker-caps",
			caps: dockerCaps(t),
			extra: []struct {
				call call
				want string
			}{
				{call{name: "unshare", args: []uint64{unix.CLONE_NEWUSER}}, eperm},
				{call{name: "mount"}, eperm},
				{call{name: "umount2"}, eperm},
				{call{name: "setns"}, eperm},
				{call{name: "clone", args: []uint64{newUser}}, eperm},
				{call{name: "clone", args: []uint64{unix.CLONE_NEWNS | sigchld}}, eperm},
				{call{name: "clone3"}, errnoAction(unix.ENOSYS)},
				{call{name: "chroot"}, allow},
				{call{name: "reboot"}, eperm},
				{call{name: "ptrace"}, allow},
			},
		},
		{
			name: "docker-caps+sys-admin",
			caps: append(dockerCaps(t), "CAP_SYS_ADMIN"),
			extra: []struct {
				call call
				want string
			}{
				{call{name: "unshare", args: []uint64{unix.CLONE_NEWUSER}}, allow},
				{call{name: "mount"}, allow},
				{call{name: "setns"}, allow},
				{call{name: "clone", args: []uint64{newUser}}, allow},
				{call{name: "clone3"}, allow},
			},
		},
		{
			name: "no-caps",
			caps: nil,
			extra: []struct {
				call call
				want string
			}{
				{call{name: "mount"}, eperm},
				{call{name: "chroot"}, eperm},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := dockerDefault(tt.caps)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Compile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d instructions, skipped %v", p.Len(), p.Skipped())
			for _, c := range append(common, tt.extra...) {
				if got := c.call.run(t, p); got != c.want {
					t.Errorf("%v: got %s, want %s", c.call, got, c.want)
				}
			}
		})
	}
}

func BenchmarkCompileDockerDefault(b *testing.B) {
	cfg, err := dockerDefault(dockerCaps(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDockerDefaultCompile includes building the profile for a
// capability set, which is what a runtime pays per container.
func BenchmarkDockerDefaultCompile(b *testing.B) {
	caps := dockerCaps(b)
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := dockerDefault(caps)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compile(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
