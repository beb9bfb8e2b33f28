package snapshot

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/testutil"
)

func mapping(host uint32) []specs.LinuxIDMapping {
	return []specs.LinuxIDMapping{{ContainerID: 0, HostID: host, Size: 65536}}
}

func owner(t *testing.T, path string) (uint32, uint32) {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Uid, st.Gid
}

// TestPrepareMapped gives two containers the same image through two
// different mappings: each sees the image's root files owned by its own
// mapped root, the layer on disk is one and unchanged, a container's
// write lands in its upper directory with its host ids, and Remove and
// a remount after an unmount leave or make exactly what they should.
func TestPrepareMapped(t *testing.T) {
	testutil.RequireRoot(t)
	st, sn, root := setup(t)
	// The mapped roots walk from / to their rootfs, as in a container.
	for _, d := range []string{root, filepath.Dir(root)} {
		if err := os.Chmod(d, 0o711); err != nil {
			t.Fatal(err)
		}
	}
	rec := storeImage(t, st, layerTar(t, "etc/", "", "etc/passwd", "root:x:0:0::/root:/bin/sh\n", "bin/", "", "bin/tool", "x"))
	before := mountsUnder(t, root)
	a, err := sn.PrepareMapped("a", rec.ID.String(), mapping(400000), mapping(410000))
	if err != nil {
		t.Fatal(err)
	}
	b, err := sn.PrepareMapped("b", rec.ID.String(), mapping(500000), mapping(510000))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		rootfs   string
		uid, gid uint32
	}{{a, 400000, 410000}, {b, 500000, 510000}} {
		for _, f := range []string{"", "etc", "etc/passwd", "bin/tool"} {
			if u, g := owner(t, filepath.Join(c.rootfs, f)); u != c.uid || g != c.gid {
				t.Errorf("%s/%s owned by %d:%d, want the mapped root %d:%d", c.rootfs, f, u, g, c.uid, c.gid)
			}
		}
		if u, g := owner(t, filepath.Dir(c.rootfs)); u != c.uid || g != c.gid {
			t.Errorf("snapshot directory of %s owned by %d:%d, want %d:%d", c.rootfs, u, g, c.uid, c.gid)
		}
	}
	layers, _ := os.ReadDir(filepath.Join(root, "layers"))
	if len(layers) != 1 {
		t.Fatalf("%d layer directories, want one shared", len(layers))
	}
	layer := filepath.Join(root, "layers", layers[0].Name())
	if u, _ := owner(t, filepath.Join(layer, "etc/passwd")); u != 0 {
		t.Errorf("the shared layer's etc/passwd is owned by %d on disk, want 0", u)
	}
	if ms, err := mountinfo.GetMounts(mountinfo.PrefixFilter(filepath.Join(root, "snapshots", "a", "lower"))); err != nil || len(ms) > 0 {
		t.Error("idmapped layer mounts are left attached after the overlay is made")
	}
	if fi, err := os.Stat(filepath.Join(root, "snapshots")); err != nil || fi.Mode().Perm() != 0o711 {
		t.Errorf("snapshots directory mode %v, %v; want 0711 so mapped roots can pass", fi.Mode().Perm(), err)
	}

	// The mapped root of a writes a file, as the container would.
	t.Run("mapped root writes", func(t *testing.T) {
		done := make(chan error, 1)
		go func() {
			// A thread of our own with fsuid/fsgid of a's root.
			done <- asIDs(400000, 410000, func() error {
				if err := os.WriteFile(filepath.Join(a, "etc/passwd"), []byte("changed\n"), 0o644); err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(a, "new"), []byte("x"), 0o644)
			})
		}()
		if err := <-done; err != nil {
			t.Fatalf("write as the mapped root: %v", err)
		}
		for _, f := range []string{"etc/passwd", "new"} {
			if u, g := owner(t, filepath.Join(root, "snapshots/a/upper", f)); u != 400000 || g != 410000 {
				t.Errorf("upper/%s owned by %d:%d on disk, want 400000:410000", f, u, g)
			}
		}
		if data, _ := os.ReadFile(filepath.Join(layer, "etc/passwd")); string(data) != "root:x:0:0::/root:/bin/sh\n" {
			t.Errorf("the shared layer changed: %q", data)
		}
		if data, _ := os.ReadFile(filepath.Join(b, "etc/passwd")); string(data) != "root:x:0:0::/root:/bin/sh\n" {
			t.Errorf("the other container sees %q", data)
		}
	})

	t.Run("remount keeps the mapping", func(t *testing.T) {
		if err := unix.Unmount(b, 0); err != nil {
			t.Fatal(err)
		}
		again, err := sn.Mount("b")
		if err != nil {
			t.Fatal(err)
		}
		if u, g := owner(t, filepath.Join(again, "bin/tool")); u != 500000 || g != 510000 {
			t.Errorf("after a remount bin/tool is owned by %d:%d, want 500000:510000", u, g)
		}
	})

	for _, id := range []string{"a", "b"} {
		if err := sn.Remove(id); err != nil {
			t.Fatal(err)
		}
	}
	if after := mountsUnder(t, root); after != before {
		t.Errorf("mounts left after Remove:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// asIDs runs fn on a locked thread whose fsuid and fsgid are uid and gid
// (per-thread system calls), and throws the thread away afterwards.
func asIDs(uid, gid int, fn func() error) error {
	runtimeLockThread()
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETFSGID, uintptr(gid), 0, 0); e != 0 {
		return e
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETFSUID, uintptr(uid), 0, 0); e != 0 {
		return e
	}
	return fn()
}

// runtimeLockThread locks the goroutine to its thread for good: the
// thread's changed ids must never serve another goroutine, and a locked
// goroutine that exits takes its thread with it.
func runtimeLockThread() { runtime.LockOSThread() }

// TestRemoveNeverEmptiesALayer: a ward that died while making a mapped
// root leaves a layer mounted inside the snapshot; Remove detaches it
// before it removes the snapshot, and the layer keeps its files.
func TestRemoveNeverEmptiesALayer(t *testing.T) {
	testutil.RequireRoot(t)
	st, sn, root := setup(t)
	rec := storeImage(t, st, layerTar(t, "etc/", "", "etc/passwd", "root:x:0:0::/root:/bin/sh\n"))
	if _, err := sn.Prepare("crashed", rec.ID.String()); err != nil {
		t.Fatal(err)
	}
	layers, _ := os.ReadDir(filepath.Join(root, "layers"))
	layer := filepath.Join(root, "layers", layers[0].Name())
	left := filepath.Join(root, "snapshots", "crashed", "lower", "0")
	if err := os.MkdirAll(left, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount(layer, left, "", unix.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	if err := sn.Remove("crashed"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(layer, "etc/passwd")); err != nil {
		t.Errorf("the layer lost its files: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "snapshots", "crashed")); !os.IsNotExist(err) {
		t.Errorf("snapshot left: %v", err)
	}
}
