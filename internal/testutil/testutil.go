// Package testutil holds what tests that run real containers share: the
// root check, a busybox rootfs built from Debian's busybox-static package,
// and temporary bundles.
package testutil

import (
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/bundle"
)

// RequireRoot skips the test unless it runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root to create namespaces and mounts (CI runs as root)")
	}
}

// RequireTool skips the test unless the named program is on PATH, and
// returns its path.
func RequireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("skipped: %s is not installed (apt-get install %s; CI installs it)", name, name)
	}
	return p
}

// BusyboxPath is where Debian's busybox-static package puts its binary.
const BusyboxPath = "/bin/busybox"

var applets = []string{
	"sh", "ls", "cat", "id", "ps", "hostname", "true", "false", "echo", "grep",
	"mount", "touch", "stat", "wc", "sleep", "cut", "head", "tr", "readlink",
	"env", "pwd", "test", "umask", "whoami", "uname", "ip", "domainname", "ifconfig",
	"unshare", "mkdir", "seq", "tty", "rm", "nsenter", "chroot", "kill",
}

// BusyboxRootfs builds a minimal root filesystem in dir: the static
// busybox binary, its applets as links, and the directories a container
// expects. It skips the test when busybox-static is not installed.
func BusyboxRootfs(t testing.TB, dir string) {
	t.Helper()
	RequireStaticBusybox(t)
	for _, d := range []string{"bin", "proc", "sys", "dev", "etc", "tmp", "root"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range applets {
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var staticOnce sync.Once
var staticErr string

// RequireStaticBusybox skips unless /bin/busybox is a static binary (the
// busybox-static package's, which runs in an empty rootfs).
func RequireStaticBusybox(t testing.TB) {
	t.Helper()
	staticOnce.Do(func() {
		f, err := elf.Open(BusyboxPath)
		if err != nil {
			staticErr = "skipped: busybox-static is not installed (apt-get install busybox-static; CI installs it)"
			return
		}
		defer f.Close()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				staticErr = "skipped: /bin/busybox is dynamically linked; install busybox-static"
			}
		}
	})
	if staticErr != "" {
		t.Skip(staticErr)
	}
}

// Bundle writes a bundle in a new temporary directory: a busybox rootfs
// and the example spec with terminal off and args replaced, edited by
// edit when not nil. It returns the bundle directory.
func Bundle(t testing.TB, args []string, edit func(*specs.Spec)) string {
	t.Helper()
	dir := t.TempDir()
	// A user namespace's root is an unprivileged host uid: let it reach the bundle.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	BusyboxRootfs(t, filepath.Join(dir, "rootfs"))
	s := bundle.Example()
	s.Process.Terminal = false
	s.Process.Args = args
	if edit != nil {
		edit(s)
	}
	WriteSpec(t, dir, s)
	return dir
}

// WriteSpec writes s as dir/config.json.
func WriteSpec(t testing.TB, dir string, s *specs.Spec) {
	t.Helper()
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// PureGo are the commands `make build` builds with CGO_ENABLED=0, as
// the tests do. ward needs no C: only net and os/user would link cgo (their
// resolvers through the C library), and with it the binary is linked
// dynamically, so every start of it ran the dynamic loader and the C
// library's initialization, and its threads started through pthreads:
// about 6% of the CPU time of ward's own process in `ward run --rm IMAGE
// true` (perf, BENCHMARKS.md). Docker's static builds do the same (netgo,
// osusergo). ward-runtime keeps cgo (internal/nsenter).
var PureGo = map[string]bool{"ward": true}

// BuildBinary builds ./cmd/NAME of this repository into dir and returns
// its path. Tests and benchmarks run the real binaries, as users do.
func BuildBinary(dir, name string) (string, error) {
	_, self, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(self), "..", "..")
	out := filepath.Join(dir, name)
	build := exec.Command("go", "build", "-o", out, "./cmd/"+name)
	build.Dir = repo
	if PureGo[name] {
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if msg, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %w\n%s", name, err, msg)
	}
	return out, nil
}
