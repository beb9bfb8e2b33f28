package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/testutil"
)

// volatile tells whether the overlay at rootfs is mounted volatile:
// Linux shows "volatile", or since 6.15 "fsync=volatile".
func volatile(t *testing.T, rootfs string) bool {
	t.Helper()
	mounts, err := mountinfo.GetMounts(mountinfo.SingleEntryFilter(rootfs))
	if err != nil || len(mounts) != 1 || mounts[0].FSType != "overlay" {
		t.Fatalf("the overlay at %s: %d mounts, %v", rootfs, len(mounts), err)
	}
	opts := strings.Split(mounts[0].VFSOptions, ",")
	return slices.Contains(opts, "volatile") || slices.Contains(opts, "fsync=volatile")
}

// TestPrepareScratch: a scratch snapshot (ward run --rm) is an overlay
// mounted volatile, through mount(2) and, for many layers, through the
// new mount API; it mounts again after an unmount (overlayfs leaves a
// mark that would refuse it) and is removed whole. A plain snapshot is
// not volatile.
func TestPrepareScratch(t *testing.T) {
	testutil.RequireRoot(t)
	for _, layers := range []int{1, 60} {
		t.Run(fmt.Sprintf("%d layers", layers), func(t *testing.T) {
			st, sn, root := setup(t)
			var tars [][]byte
			for i := range layers {
				tars = append(tars, layerTar(t, fmt.Sprintf("l%02d", i), "x"))
			}
			rec := storeImage(t, st, tars...)
			plain, err := sn.Prepare("plain", rec.ID.String())
			if err != nil {
				t.Fatal(err)
			}
			defer sn.Remove("plain")
			if volatile(t, plain) {
				t.Error("a plain snapshot is volatile")
			}
			rootfs, err := sn.PrepareScratch("scratch", rec.ID.String())
			if err != nil {
				t.Fatal(err)
			}
			if !volatile(t, rootfs) {
				t.Error("a scratch snapshot is not volatile")
			}
			if err := os.WriteFile(filepath.Join(rootfs, "written"), []byte("w"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := unix.Unmount(rootfs, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := sn.Mount("scratch"); err != nil {
				t.Fatalf("mount a scratch snapshot again: %v", err)
			}
			if !volatile(t, rootfs) {
				t.Error("a scratch snapshot mounted again is not volatile")
			}
			if data, err := os.ReadFile(filepath.Join(rootfs, "written")); err != nil || string(data) != "w" {
				t.Errorf("the container's write after mounting again: %q, %v", data, err)
			}
			if err := sn.Remove("scratch"); err != nil {
				t.Fatal(err)
			}
			if left := mountsUnder(t, filepath.Join(root, "snapshots", "scratch")); left != "" {
				t.Errorf("mounts left: %s", left)
			}
			if _, err := os.Stat(filepath.Join(root, "snapshots", "scratch")); !os.IsNotExist(err) {
				t.Errorf("the snapshot's directory is left: %v", err)
			}
		})
	}
}
