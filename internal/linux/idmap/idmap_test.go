package idmap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: idmapped mounts need CAP_SYS_ADMIN")
	}
}

var testMap = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 300000, Size: 65536}}

func TestHostID(t *testing.T) {
	m := []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 10}, {ContainerID: 100, HostID: 5000, Size: 1}}
	for _, c := range []struct {
		in, want uint32
		ok       bool
	}{{0, 1000, true}, {9, 1009, true}, {10, 0, false}, {100, 5000, true}, {101, 0, false}} {
		got, ok := HostID(m, c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("HostID(%d) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// TestMountShowsMappedOwners mounts a directory of root-owned and
// uid-1000-owned files through a mapping and checks what a stat sees,
// that a file made through the mount lands on disk with the unmapped
// owner, and that the source is untouched.
func TestMountShowsMappedOwners(t *testing.T) {
	requireRoot(t)
	src, target := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "root-file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "user-file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(src, "user-file"), 1000, 1000); err != nil {
		t.Fatal(err)
	}
	ns, err := UsernsFD(testMap, testMap)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if err := Mount(src, target, ns); err != nil {
		t.Fatal(err)
	}
	defer unix.Unmount(target, unix.MNT_DETACH)
	for name, want := range map[string]uint32{"root-file": 300000, "user-file": 301000} {
		var st unix.Stat_t
		if err := unix.Stat(filepath.Join(target, name), &st); err != nil {
			t.Fatal(err)
		}
		if st.Uid != want || st.Gid != want {
			t.Errorf("%s through the idmapped mount: owner %d:%d, want %d:%d", name, st.Uid, st.Gid, want, want)
		}
		if err := unix.Stat(filepath.Join(src, name), &st); err != nil {
			t.Fatal(err)
		}
		if st.Uid == want {
			t.Errorf("%s in the source changed owner to %d", name, st.Uid)
		}
	}
	// A process with fsuid 300000 (root of the mapping) creates a file:
	// on disk it belongs to uid 0.
	cmd := exec.Command("/bin/sh", "-c", "echo hi > "+filepath.Join(target, "made-inside"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 300000, Gid: 300000}}
	// The root of the mount is the source's root; the test's own
	// directory must let that uid through.
	for _, d := range []string{target, filepath.Dir(target)} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("write through the mount as uid 300000: %v: %s", err, out)
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(src, "made-inside"), &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != 0 {
		t.Errorf("a file made by uid 300000 through the mount is owned by %d on disk, want 0", st.Uid)
	}
}

// TestUsernsFDLeavesNoProcess checks the namespace's maker is gone and the
// mapping is the one asked for.
func TestUsernsFDLeavesNoProcess(t *testing.T) {
	requireRoot(t)
	before := children(t)
	ns, err := UsernsFD(testMap, testMap)
	if err != nil {
		t.Fatal(err)
	}
	ns.Close()
	if after := children(t); after != before {
		t.Errorf("children of the test: %q before, %q after", before, after)
	}
	if _, err := UsernsFD(nil, testMap); err == nil {
		t.Error("UsernsFD without a uid mapping succeeded")
	}
}

// children lists the PIDs of the test process's children, from every
// process's stat line.
func children(t *testing.T) string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	me := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == me {
			out = append(out, e.Name())
		}
	}
	return strings.Join(out, " ")
}
