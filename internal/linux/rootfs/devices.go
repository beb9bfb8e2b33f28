package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// defaultDevices are the nodes every container gets, as the runtime-spec
// lists them, in runc's order (libcontainer's AllowedDevices): in a user
// namespace each is a bind mount, and the container sees the mounts in
// this order.
func defaultDevices() []specs.LinuxDevice {
	mode := os.FileMode(0o666)
	zero := uint32(0)
	dev := func(path string, major, minor int64) specs.LinuxDevice {
		return specs.LinuxDevice{Path: path, Type: "c", Major: major, Minor: minor, FileMode: &mode, UID: &zero, GID: &zero}
	}
	return []specs.LinuxDevice{
		dev("/dev/null", 1, 3), dev("/dev/random", 1, 8), dev("/dev/full", 1, 7),
		dev("/dev/tty", 5, 0), dev("/dev/zero", 1, 5), dev("/dev/urandom", 1, 9),
	}
}

// createDevices makes each device node in the rootfs. In a new user
// namespace mknod is refused, so the host's node is bound instead, as runc
// does.
func createDevices(c Config, devs []specs.LinuxDevice) error {
	old := unix.Umask(0)
	defer unix.Umask(old)
	for _, d := range devs {
		dest, err := securejoin.SecureJoin(c.Rootfs, d.Path)
		if err != nil {
			return fmt.Errorf("device %s: %w", d.Path, err)
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return fmt.Errorf("device %s: %w", d.Path, err)
		}
		if c.NewUserNS {
			if err := ensureTarget(dest, false); err != nil {
				return fmt.Errorf("device %s: %w", d.Path, err)
			}
			if err := unix.Mount(d.Path, dest, "", unix.MS_BIND, ""); err != nil {
				return fmt.Errorf("bind device %s from the host: %w", d.Path, err)
			}
			continue
		}
		if err := mknod(dest, d); err != nil {
			return fmt.Errorf("create device %s: %w", d.Path, err)
		}
	}
	return nil
}

func mknod(dest string, d specs.LinuxDevice) error {
	mode := uint32(0o666)
	if d.FileMode != nil {
		mode = uint32(d.FileMode.Perm())
	}
	switch d.Type {
	case "c", "u":
		mode |= unix.S_IFCHR
	case "b":
		mode |= unix.S_IFBLK
	case "p":
		mode |= unix.S_IFIFO
	}
	// A node the rootfs already has (an image's /dev/null) is replaced.
	if err := os.Remove(dest); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := unix.Mknod(dest, mode, int(unix.Mkdev(uint32(d.Major), uint32(d.Minor)))); err != nil {
		return err
	}
	uid, gid := 0, 0
	if d.UID != nil {
		uid = int(*d.UID)
	}
	if d.GID != nil {
		gid = int(*d.GID)
	}
	return unix.Lchown(dest, uid, gid)
}

// devLinks adds the /dev symlinks programs expect. /dev/ptmx is always
// the link to the container's own devpts, as runc makes it: a ptmx node
// among the devices (all the host's, with --privileged) is replaced.
func devLinks(rootfs string) error {
	for _, l := range [][2]string{
		{"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
		{"pts/ptmx", "/dev/ptmx"},
	} {
		dest, err := securejoin.SecureJoin(rootfs, l[1])
		if err != nil {
			return err
		}
		if l[1] == "/dev/ptmx" {
			if err := os.Remove(dest); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("replace %s: %w", l[1], err)
			}
		}
		if err := os.Symlink(l[0], dest); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("link %s: %w", l[1], err)
		}
	}
	return nil
}
