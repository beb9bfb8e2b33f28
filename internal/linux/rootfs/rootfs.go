// Package rootfs builds a container's root filesystem inside its new mount
// namespace: the spec's mounts, the default devices and /dev links, the
// switch of root (pivot_root, or chroot with --no-pivot), then masked and
// read-only paths. It runs in the container's init process only.
//
// Every destination is resolved inside the rootfs with securejoin, so a
// symlink in an image (say /proc -> /host) cannot send a mount outside it.
package rootfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Config says what to build and how.
type Config struct {
	Rootfs      string // absolute path on the host
	Spec        *specs.Spec
	NoPivot     bool
	NewCgroupNS bool // mount fresh cgroup filesystems rather than bind the host's
	NewUserNS   bool // device nodes cannot be created; bind the host's instead
	// BeforePivot, when set, runs once every mount is in place and before
	// the switch of root: the point where hooks run.
	BeforePivot func() error
}

// Prepare mounts everything the spec asks for under the rootfs and makes
// the rootfs the process's root. The working directory is / afterwards.
func Prepare(c Config) error {
	s := c.Spec
	// Keep the host from seeing our mounts: everything is built under a
	// slave (or, when asked, private) root, and the requested propagation
	// is applied to the new root once it is in place, since pivot_root
	// refuses a shared root and a bind refuses an unbindable one.
	prep := uintptr(unix.MS_SLAVE | unix.MS_REC)
	if p, ok := PropagationFlag(s.Linux.RootfsPropagation); ok && p&unix.MS_PRIVATE != 0 {
		prep = p
	}
	if err := unix.Mount("", "/", "", prep, ""); err != nil {
		return fmt.Errorf("set propagation of /: %w", err)
	}
	// pivot_root needs the new root to be a mount point.
	if err := unix.Mount(c.Rootfs, c.Rootfs, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind rootfs %s: %w", c.Rootfs, err)
	}
	devBound := false
	for _, m := range s.Mounts {
		if err := mountOne(c, m); err != nil {
			return fmt.Errorf("mount %s (%s) on %s: %w", m.Source, m.Type, m.Destination, err)
		}
		if filepath.Clean(m.Destination) == "/dev" && isBind(m) {
			devBound = true
		}
	}
	if !devBound {
		if err := createDevices(c, append(defaultDevices(), s.Linux.Devices...)); err != nil {
			return err
		}
		if err := devLinks(c.Rootfs); err != nil {
			return err
		}
	}
	if s.Process != nil && s.Process.Cwd != "" {
		// runc creates a missing working directory; so do we, inside the rootfs.
		cwd, err := securejoin.SecureJoin(c.Rootfs, s.Process.Cwd)
		if err == nil {
			_ = os.MkdirAll(cwd, 0o755)
		}
	}
	if c.BeforePivot != nil {
		if err := c.BeforePivot(); err != nil {
			return err
		}
	}
	var err error
	if c.NoPivot {
		err = moveRoot(c.Rootfs)
	} else {
		err = pivotRoot(c.Rootfs)
	}
	if err != nil {
		return err
	}
	if prop, ok := PropagationFlag(s.Linux.RootfsPropagation); ok {
		if err := unix.Mount("", "/", "", prop, ""); err != nil {
			return fmt.Errorf("set rootfsPropagation %s: %w", s.Linux.RootfsPropagation, err)
		}
	}
	return nil
}

// Finalize runs after the switch of root: masked paths, read-only paths,
// then a read-only root if asked, in runc's order.
func Finalize(s *specs.Spec) error {
	for _, p := range s.Linux.ReadonlyPaths {
		if err := readonlyPath(p); err != nil {
			return fmt.Errorf("make %s read-only: %w", p, err)
		}
	}
	for _, p := range s.Linux.MaskedPaths {
		if err := maskPath(p); err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
	}
	if s.Root.Readonly {
		flags := uintptr(unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY) | lockedFlags("/")
		if err := unix.Mount("", "/", "", flags, ""); err != nil {
			return fmt.Errorf("make the root filesystem read-only: %w", err)
		}
	}
	return nil
}

func isBind(m specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	return parseOptions(m.Options).flags&unix.MS_BIND != 0
}

func mountOne(c Config, m specs.Mount) error {
	dest, err := securejoin.SecureJoin(c.Rootfs, m.Destination)
	if err != nil {
		return err
	}
	opts := parseOptions(m.Options)
	switch {
	case isBind(m):
		if err := bindMount(m.Source, dest, opts); err != nil {
			return err
		}
	case m.Type == "cgroup":
		if err := mountCgroups(c, dest, opts); err != nil {
			return err
		}
	case m.Type == "tmpfs":
		if err := mountTmpfs(m.Source, dest, opts); err != nil {
			return err
		}
	default:
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return err
		}
		if err := unix.Mount(m.Source, dest, m.Type, opts.flags, opts.data); err != nil {
			return err
		}
	}
	for _, p := range opts.propagation {
		if err := unix.Mount("", dest, "", p, ""); err != nil {
			return fmt.Errorf("set propagation: %w", err)
		}
	}
	return nil
}

// mountTmpfs mounts a tmpfs at dest. As runc 1.1 does, a tmpfs that
// covers an existing directory takes that directory's mode (an image's
// /tmp keeps its 1777), so it is mounted writable, changed, and made
// read-only afterwards if asked. Unlike runc 1.1, and like runc 1.2, an
// explicit mode= option is kept: it is what the user asked for.
func mountTmpfs(source, dest string, opts mountOptions) error {
	covered, err := os.Stat(dest)
	if err != nil {
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return err
		}
	}
	if err := unix.Mount(source, dest, "tmpfs", opts.flags&^unix.MS_RDONLY, opts.data); err != nil {
		return err
	}
	if covered != nil && !hasModeOption(opts.data) {
		if err := os.Chmod(dest, covered.Mode()); err != nil {
			return fmt.Errorf("give the tmpfs the mode of the directory it covers: %w", err)
		}
	}
	if opts.flags&unix.MS_RDONLY != 0 {
		if err := unix.Mount("", dest, "", unix.MS_REMOUNT|opts.flags, ""); err != nil {
			return fmt.Errorf("remount read-only: %w", err)
		}
	}
	return nil
}

func hasModeOption(data string) bool {
	for _, o := range strings.Split(data, ",") {
		if strings.HasPrefix(o, "mode=") {
			return true
		}
	}
	return false
}

// bindMount binds src (relative paths are relative to the bundle, which is
// the init's working directory) and then applies the flags that a bind
// mount ignores on its first call: ro, nosuid, nodev, noexec.
func bindMount(src, dest string, opts mountOptions) error {
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("bind source: %w", err)
	}
	if err := ensureTarget(dest, fi.IsDir()); err != nil {
		return err
	}
	if err := unix.Mount(src, dest, "", unix.MS_BIND|(opts.flags&unix.MS_REC), ""); err != nil {
		return err
	}
	extra := opts.flags &^ (unix.MS_BIND | unix.MS_REC | unix.MS_REMOUNT)
	if extra != 0 {
		flags := unix.MS_BIND | unix.MS_REMOUNT | extra | lockedFlags(dest)
		if opts.flags&unix.MS_RDONLY == 0 {
			flags &^= unix.MS_RDONLY
		}
		if err := unix.Mount("", dest, "", flags, ""); err != nil {
			return fmt.Errorf("remount with options: %w", err)
		}
	}
	return nil
}

// ensureTarget creates the mount point: a directory, or an empty file when
// a file is bound.
func ensureTarget(dest string, dir bool) error {
	if dir {
		return os.MkdirAll(dest, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_RDONLY, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}

// pivotRoot makes rootfs the root with pivot_root(".", "."), stacking the
// old root under the new one and then detaching it: no directory for the
// old root is needed, and none is left behind.
func pivotRoot(rootfs string) error {
	oldroot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(oldroot)
	newroot, err := unix.Open(rootfs, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(newroot)
	if err := unix.Fchdir(newroot); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root %s: %w", rootfs, err)
	}
	if err := unix.Fchdir(oldroot); err != nil {
		return err
	}
	// The old root must not propagate the unmount back to the host.
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return err
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	return unix.Chdir("/")
}

// moveRoot is --no-pivot: move the rootfs mount over / and chroot into it.
// The old root stays reachable to a process that can escape a chroot,
// which is why it is not the default.
func moveRoot(rootfs string) error {
	if err := unix.Chdir(rootfs); err != nil {
		return err
	}
	if err := unix.Mount(rootfs, "/", "", unix.MS_MOVE, ""); err != nil {
		return fmt.Errorf("move rootfs to /: %w", err)
	}
	if err := unix.Chroot("."); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	return unix.Chdir("/")
}

// ChrootOnly changes root to rootfs without mounting anything, for a
// container that shares the host's mount namespace.
func ChrootOnly(rootfs string) error {
	if err := unix.Chroot(rootfs); err != nil {
		return fmt.Errorf("chroot %s: %w", rootfs, err)
	}
	return unix.Chdir("/")
}

// maskPath hides a path: /dev/null over a file, an empty read-only tmpfs
// over a directory, with no mount data, as runc mounts it. A path that
// does not exist needs no mask.
func maskPath(p string) error {
	err := unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
	switch {
	case err == nil, errors.Is(err, unix.ENOENT):
		return nil
	case errors.Is(err, unix.ENOTDIR), errors.Is(err, unix.EINVAL):
		// A directory cannot take a file bind: cover it with an empty tmpfs.
		return unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY, "")
	}
	return err
}

func readonlyPath(p string) error {
	if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return err
	}
	flags := uintptr(unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY) | lockedFlags(p)
	return unix.Mount("", p, "", flags, "")
}

// BindConsole binds the pty slave at slave over /dev/console, creating the
// mount point if the rootfs has none. It runs after the switch of root.
func BindConsole(slave string) error {
	if err := ensureTarget("/dev/console", false); err != nil {
		return fmt.Errorf("create /dev/console: %w", err)
	}
	if err := unix.Mount(slave, "/dev/console", "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind %s to /dev/console: %w", slave, err)
	}
	return nil
}
