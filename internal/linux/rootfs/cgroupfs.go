package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// mountCgroups gives the container a view of its own cgroups at dest. On
// a cgroup v2 host that is one cgroup2 mount; on a v1 or hybrid host, a
// tmpfs holding one mount per hierarchy (and "unified" for cgroup2), like
// the host's /sys/fs/cgroup. With a new cgroup namespace, fresh mounts
// show the namespace's root; without one, the container's own cgroup
// directories are bound, so it never sees its neighbours.
func mountCgroups(c Config, dest string, opts mountOptions) error {
	hier, err := mountinfo.GetMounts(func(m *mountinfo.Info) (skip, stop bool) {
		return m.FSType != "cgroup" && m.FSType != "cgroup2", false
	})
	if err != nil {
		return fmt.Errorf("read mountinfo: %w", err)
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return err
	}
	flags := opts.flags &^ unix.MS_RDONLY
	// Pure cgroup v2: one mount at dest.
	if len(hier) == 1 && hier[0].FSType == "cgroup2" {
		return mountHierarchy(c, hier[0], dest, opts.flags)
	}
	if err := unix.Mount("tmpfs", dest, "tmpfs", flags, "mode=755"); err != nil {
		return err
	}
	for _, h := range hier {
		name := filepath.Base(h.Mountpoint)
		target := filepath.Join(dest, name)
		if err := os.MkdirAll(target, 0o755); err != nil {
			return err
		}
		if err := mountHierarchy(c, h, target, opts.flags); err != nil {
			return fmt.Errorf("cgroup hierarchy %s: %w", name, err)
		}
		// "cpu,cpuacct" is also reachable as "cpu" and "cpuacct".
		if strings.Contains(name, ",") {
			for _, alias := range strings.Split(name, ",") {
				_ = os.Symlink(name, filepath.Join(dest, alias))
			}
		}
	}
	if opts.flags&unix.MS_RDONLY != 0 {
		return unix.Mount("", dest, "", unix.MS_REMOUNT|unix.MS_RDONLY|flags, "mode=755")
	}
	return nil
}

func mountHierarchy(c Config, h *mountinfo.Info, target string, flags uintptr) error {
	key := ""
	var controllers []string
	if h.FSType == "cgroup" {
		for _, o := range strings.Split(h.VFSOptions, ",") {
			if o == "rw" || o == "ro" || o == "" {
				continue
			}
			controllers = append(controllers, o)
		}
		for _, o := range controllers {
			if !strings.Contains(o, "=") || strings.HasPrefix(o, "name=") {
				key = o
				break
			}
		}
	}
	if c.NewCgroupNS {
		return unix.Mount("cgroup", target, h.FSType, flags&^unix.MS_BIND, strings.Join(controllers, ","))
	}
	src := filepath.Join(h.Mountpoint, hostCgroupPath(key))
	if err := unix.Mount(src, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	if rest := flags &^ (unix.MS_BIND | unix.MS_REC); rest != 0 {
		return unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|rest|lockedFlags(target), "")
	}
	return nil
}
