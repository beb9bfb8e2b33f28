package snapshot

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/testutil"
)

// TestMountAgain: a snapshot whose mount is gone (a reboot) is mounted
// again over the same layers, in the same order, with the container's own
// writes; mounting one that is mounted changes nothing.
func TestMountAgain(t *testing.T) {
	testutil.RequireRoot(t)
	st, sn, root := setup(t)
	rec := storeImage(t, st,
		layerTar(t, "etc/", "", "etc/os", "base", "etc/keep", "base"),
		layerTar(t, "etc/", "", "etc/os", "top"))
	rootfs, err := sn.Prepare("again", rec.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Remove("again")
	if err := os.WriteFile(filepath.Join(rootfs, "written"), []byte("by the container"), 0o644); err != nil {
		t.Fatal(err)
	}
	mountsBefore := mountsUnder(t, root)
	if got, err := sn.Mount("again"); err != nil || got != rootfs {
		t.Fatalf("Mount of a mounted snapshot = %q, %v; want %q", got, err, rootfs)
	}
	if after := mountsUnder(t, root); after != mountsBefore {
		t.Errorf("Mount of a mounted snapshot changed the mounts:\n%s\nwas\n%s", after, mountsBefore)
	}
	if err := unix.Unmount(rootfs, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := sn.Mount("again"); err != nil || got != rootfs {
		t.Fatalf("Mount = %q, %v; want %q", got, err, rootfs)
	}
	if mounted, _ := mountinfo.Mounted(rootfs); !mounted {
		t.Fatalf("%s is not mounted", rootfs)
	}
	for path, want := range map[string]string{"etc/os": "top", "etc/keep": "base", "written": "by the container"} {
		t.Run(path, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(rootfs, path))
			if err != nil || string(got) != want {
				t.Errorf("%s = %q, %v; want %q", path, got, err, want)
			}
		})
	}
	if _, err := sn.Mount("nosuch"); err == nil {
		t.Error("Mount of a snapshot that does not exist succeeded")
	}
}
