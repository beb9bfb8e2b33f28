//go:build linux && amd64

package seccomp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// childEnv switches the test binary into a child that loads a filter and
// makes syscalls: a filter cannot be unloaded, so it goes in a process of
// its own. The variable holds a JSON childSpec.
const childEnv = "WARD_SECCOMP_TEST_CHILD"

type childSpec struct {
	Profile     string   // file under testdata; empty with Docker false: no filter
	Docker      bool     // load dockerDefault(Caps) instead
	Caps        []string // for Docker
	OtherThread bool     // make the calls from a thread other than the one that loaded
	PrivsKept   bool     // load without no_new_privs, relying on CAP_SYS_ADMIN
	DropAdmin   bool     // drop CAP_SYS_ADMIN from the loading thread's effective set first
	Calls       []childCall
}

type childCall struct {
	Name string
	Args []uint64
}

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		if err := runChild(spec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runChild loads the filter as ward-runtime's init will (no_new_privs, then
// seccomp(2) on the locked thread), makes the calls and prints their errnos
// as a JSON array.
func runChild(raw string) error {
	var spec childSpec
	if err := json.Unmarshal([]byte(raw), &spec); err != nil {
		return err
	}
	var cfg *specs.LinuxSeccomp
	switch {
	case spec.Docker:
		var err error
		if cfg, err = dockerDefault(spec.Caps); err != nil {
			return err
		}
	case spec.Profile != "":
		b, err := os.ReadFile("testdata/" + spec.Profile)
		if err != nil {
			return err
		}
		cfg = new(specs.LinuxSeccomp)
		if err := json.Unmarshal(b, cfg); err != nil {
			return err
		}
	}
	nrs := make([]uintptr, len(spec.Calls))
	for i, c := range spec.Calls {
		nr, ok := SyscallNumber(specs.ArchX86_64, c.Name)
		if !ok {
			return fmt.Errorf("no syscall %s", c.Name)
		}
		nrs[i] = uintptr(nr)
	}

	runtime.LockOSThread()
	if cfg != nil {
		p, err := Compile(cfg)
		if err != nil {
			return err
		}
		if spec.DropAdmin {
			if err := dropSysAdmin(); err != nil {
				return err
			}
		}
		if !spec.PrivsKept {
			if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
				return fmt.Errorf("setting no_new_privs: %w", err)
			}
		}
		if err := p.Load(); err != nil {
			return err
		}
	}
	errnos := make([]int, len(spec.Calls))
	calls := func() {
		for i, c := range spec.Calls {
			var a [6]uintptr
			for j, v := range c.Args {
				a[j] = uintptr(v)
			}
			_, _, e := unix.RawSyscall6(nrs[i], a[0], a[1], a[2], a[3], a[4], a[5])
			errnos[i] = int(e)
		}
	}
	if spec.OtherThread {
		loader := unix.Gettid()
		done := make(chan bool)
		go func() {
			// Locked here while the loading goroutine stays locked to
			// its thread, so this runs on another thread.
			runtime.LockOSThread()
			calls()
			done <- unix.Gettid() != loader
		}()
		if !<-done {
			return errors.New("calls ran on the thread that loaded the filter")
		}
	} else {
		calls()
	}
	return json.NewEncoder(os.Stdout).Encode(errnos)
}

// dropSysAdmin clears CAP_SYS_ADMIN from the calling thread's effective
// capabilities.
func dropSysAdmin() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	data[0].Effective &^= 1 << unix.CAP_SYS_ADMIN
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}

// child runs the test binary as a child with spec and returns its errnos,
// or the error of its exit.
func child(t *testing.T, spec childSpec) ([]unix.Errno, error) {
	t.Helper()
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.Bytes())
	}
	var ints []int
	if err := json.Unmarshal(out, &ints); err != nil {
		t.Fatalf("child output %q: %v", out, err)
	}
	errnos := make([]unix.Errno, len(ints))
	for i, e := range ints {
		errnos[i] = unix.Errno(e)
	}
	return errnos, nil
}

// outcome is the errno a call must end with, and whether the filter chose
// it (then a child without the filter must end differently).
type outcome struct {
	errno    unix.Errno
	byFilter bool
}

func TestKernelLoad(t *testing.T) {
	const hi = 1 << 32
	denied := func(e unix.Errno) outcome { return outcome{e, true} }
	passed := func(e unix.Errno) outcome { return outcome{e, false} }
	tests := []struct {
		name string
		spec childSpec
		want []outcome
	}{
		{
			name: "errno and argument rule",
			spec: childSpec{Profile: "profiles/kernel.json", Calls: []childCall{
				{Name: "getcwd"},
				{Name: "getpriority", Args: []uint64{unix.PRIO_PROCESS, hi}},
				{Name: "getpriority", Args: []uint64{unix.PRIO_PROCESS, 0}},
				{Name: "getpriority", Args: []uint64{unix.PRIO_PROCESS, hi + 1}},
			}},
			// The kernel truncates the id of getpriority to 32 bits:
			// 1<<32 is this process and 1<<32+1 is init, both exist.
			want: []outcome{denied(unix.EPERM), denied(unix.ECHILD), passed(0), passed(0)},
		},
		{
			name: "tsync filters other threads",
			spec: childSpec{Profile: "profiles/kernel-tsync.json", OtherThread: true, Calls: []childCall{{Name: "getcwd"}}},
			want: []outcome{denied(unix.EXDEV)},
		},
		{
			name: "docker default",
			spec: childSpec{Docker: true, Caps: dockerCaps(t), Calls: []childCall{
				{Name: "unshare", Args: []uint64{unix.CLONE_NEWUSER}},
				{Name: "keyctl", Args: []uint64{unix.KEYCTL_GET_KEYRING_ID, 0xfffffffd, 0}},
				{Name: "personality", Args: []uint64{addrNoRandomize}},
				{Name: "read", Args: []uint64{0xffffffff, 0, 0}},
				{Name: "personality", Args: []uint64{0xffffffff}},
			}},
			want: []outcome{denied(unix.EPERM), denied(unix.EPERM), denied(unix.EPERM), passed(unix.EBADF), passed(0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := child(t, tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			control := tt.spec
			control.Profile, control.Docker = "", false
			unfiltered, err := child(t, control)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.want {
				c := tt.spec.Calls[i]
				if got[i] != want.errno {
					t.Errorf("%s%#x: errno %d (%v), want %d (%v)", c.Name, c.Args, got[i], got[i], want.errno, want.errno)
				}
				if want.byFilter && unfiltered[i] == want.errno {
					t.Errorf("%s%#x gives %v without a filter too: the test proves nothing", c.Name, c.Args, want.errno)
				}
			}
		})
	}
}

// TestKernelLoadPrivileges loads without no_new_privs, which needs
// CAP_SYS_ADMIN: as runc does when the config does not set noNewPrivileges.
func TestKernelLoadPrivileges(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loading without no_new_privs needs root (CAP_SYS_ADMIN)")
	}
	calls := []childCall{{Name: "getcwd"}}
	got, err := child(t, childSpec{Profile: "profiles/kernel.json", PrivsKept: true, Calls: calls})
	if err != nil {
		t.Fatalf("loading with CAP_SYS_ADMIN: %v", err)
	}
	if got[0] != unix.EPERM {
		t.Errorf("getcwd: %v, want EPERM", got[0])
	}
	_, err = child(t, childSpec{Profile: "profiles/kernel.json", PrivsKept: true, DropAdmin: true, Calls: calls})
	if err == nil || !strings.Contains(err.Error(), "set no_new_privs or keep CAP_SYS_ADMIN") {
		t.Errorf("loading with neither no_new_privs nor CAP_SYS_ADMIN: %v, want the EACCES explanation", err)
	}
}

func TestKernelKillProcess(t *testing.T) {
	_, err := child(t, childSpec{Profile: "profiles/kernel.json", Calls: []childCall{{Name: "getppid"}}})
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child was not killed: %v", err)
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != unix.SIGSYS {
		t.Fatalf("child ended with %v, want killed by SIGSYS", exit)
	}
}

// BenchmarkSyscallUnderDockerDefault measures what a syscall costs under
// Docker's default profile as ward compiles it, against no filter and, when
// gcc and libseccomp-dev are installed, libseccomp's program for the same
// profile (without runc's -ENOSYS stub). The filter is loaded on a thread
// of its own that ends with the benchmark run (Go creates new threads from
// a clean template thread, not from a locked one).
func BenchmarkSyscallUnderDockerDefault(b *testing.B) {
	cfg, err := dockerDefault(dockerCaps(b))
	if err != nil {
		b.Fatal(err)
	}
	ours, err := Compile(cfg)
	if err != nil {
		b.Fatal(err)
	}
	filters := []struct {
		name string
		prog *Program
	}{{"none", nil}, {"ward", ours}}
	if exporter, err := compileExporter(b.TempDir()); err != nil {
		b.Log(err)
	} else {
		raw, _ := libseccompProgram(b, exporter, cfg)
		filters = append(filters, struct {
			name string
			prog *Program
		}{"libseccomp", &Program{raw: raw}})
	}
	calls := []struct {
		name string
		nr   uintptr
		arg0 uintptr
	}{
		{"getppid", unix.SYS_GETPPID, 0},
		{"read-ebadf", unix.SYS_READ, ^uintptr(0)},
		{"clone3-enosys", unix.SYS_CLONE3, 0},
	}
	for _, f := range filters {
		for _, c := range calls {
			b.Run(f.name+"/"+c.name, func(b *testing.B) {
				done := make(chan error)
				go func() {
					// Never unlocked: the thread, and its filter, end
					// with this goroutine.
					runtime.LockOSThread()
					if f.prog != nil {
						if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
							done <- err
							return
						}
						if err := f.prog.Load(); err != nil {
							done <- err
							return
						}
					}
					b.ResetTimer()
					for range b.N {
						unix.RawSyscall(c.nr, c.arg0, 0, 0)
					}
					b.StopTimer()
					done <- nil
				}()
				if err := <-done; err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
