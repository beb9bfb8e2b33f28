package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/linux/idmap"
)

// mountOverlayMapped mounts the overlay of a container in a user
// namespace: each lower layer is first mounted idmapped under dir/lower/N,
// the overlay is made of those, and the idmapped mounts are detached again
// at once (overlayfs keeps private clones of its layers), so nothing but
// the rootfs stays mounted. The upper directory is not idmapped: the
// container's writes keep the host ids its processes have.
func mountOverlayMapped(dir, rootfs string, lower []string, upper, work string, rec snapshotRecord) error {
	ns, err := idmap.UsernsFD(rec.UIDMappings, rec.GIDMappings)
	if err != nil {
		return err
	}
	defer ns.Close()
	base := filepath.Join(dir, "lower")
	if err := os.Mkdir(base, 0o700); err != nil && !os.IsExist(err) {
		return err
	}
	mapped := make([]string, 0, len(lower))
	made := make([]string, 0, len(lower))
	defer func() {
		for _, m := range mapped {
			unix.Unmount(m, unix.MNT_DETACH)
		}
		// rmdir, never a recursive removal: a directory still mounted
		// holds a shared layer, which must not be emptied.
		for _, m := range made {
			os.Remove(m)
		}
		os.Remove(base)
	}()
	for i, l := range lower {
		// Short names: mount(2) takes one page of options.
		m := filepath.Join(base, strconv.Itoa(i))
		if err := os.Mkdir(m, 0o700); err != nil && !os.IsExist(err) {
			return err
		}
		made = append(made, m)
		if err := idmap.Mount(l, m, ns); err != nil {
			return err
		}
		mapped = append(mapped, m)
	}
	return mountOverlay(rootfs, mapped, upper, work, rec.Scratch)
}

// ownByMappedRoot gives the snapshot directory to the container's root,
// so that it can reach its rootfs, and the upper directory (whose owner
// and mode are those of the container's /) the owner the top layer's root
// has, seen through the mapping.
func ownByMappedRoot(dir, upper, topLower string, rec snapshotRecord) error {
	uid, uok := idmap.HostID(rec.UIDMappings, 0)
	gid, gok := idmap.HostID(rec.GIDMappings, 0)
	if !uok || !gok {
		return fmt.Errorf("the id mapping does not map root")
	}
	if err := os.Chown(dir, int(uid), int(gid)); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Stat(topLower, &st); err != nil {
		return err
	}
	ruid, uok := idmap.HostID(rec.UIDMappings, st.Uid)
	rgid, gok := idmap.HostID(rec.GIDMappings, st.Gid)
	if !uok || !gok {
		ruid, rgid = uid, gid
	}
	if err := os.Chown(upper, int(ruid), int(rgid)); err != nil {
		return err
	}
	return unix.Chmod(upper, st.Mode&0o7777)
}
