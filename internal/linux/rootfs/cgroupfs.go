package rootfs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// cgroupTmpfsFlags are the flags of the tmpfs that holds the v1
// hierarchies. runc (libcontainer's mountCgroupV1) mounts it with these
// whatever the spec's cgroup mount says: the tmpfs stays writable and
// only the hierarchies take the mount's options, read-only included.
const cgroupTmpfsFlags = unix.MS_NOEXEC | unix.MS_NOSUID | unix.MS_NODEV

// mountCgroups gives the container a view of its own cgroups at dest. On
// a cgroup v2 host that is one cgroup2 mount. On a v1 or hybrid host it
// is what runc mounts: a tmpfs holding one mount per v1 hierarchy, and no
// unified (cgroup2) hierarchy. With a new cgroup namespace, fresh mounts
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
	own, err := ownCgroups()
	if err != nil {
		return err
	}
	// Pure cgroup v2: one mount at dest.
	if len(hier) == 1 && hier[0].FSType == "cgroup2" {
		if c.NewCgroupNS {
			return unix.Mount("cgroup", dest, "cgroup2", opts.flags&^unix.MS_BIND, "")
		}
		return bindHierarchy(filepath.Join(hier[0].Mountpoint, own[""]), dest, opts.flags)
	}
	if err := unix.Mount("tmpfs", dest, "tmpfs", cgroupTmpfsFlags, "mode=755"); err != nil {
		return err
	}
	for _, p := range opts.propagation {
		if err := unix.Mount("", dest, "", p, ""); err != nil {
			return fmt.Errorf("set propagation: %w", err)
		}
	}
	seen := map[string]bool{}
	for _, h := range hier {
		if h.FSType != "cgroup" {
			continue
		}
		subsystems := hierarchySubsystems(h, own, seen)
		if len(subsystems) == 0 {
			continue // a second mount of a hierarchy already bound
		}
		name := filepath.Base(h.Mountpoint)
		target := filepath.Join(dest, name)
		if err := os.MkdirAll(target, 0o755); err != nil {
			return err
		}
		path, err := filepath.Rel(h.Root, own[subsystems[0]])
		if err != nil {
			return fmt.Errorf("cgroup hierarchy %s: %w", name, err)
		}
		if c.NewCgroupNS {
			err = mountHierarchy(subsystems, target, opts.flags)
		} else {
			err = bindHierarchy(filepath.Join(h.Mountpoint, path), target, opts.flags)
		}
		if err != nil {
			return fmt.Errorf("cgroup hierarchy %s: %w", name, err)
		}
		for _, p := range opts.propagation {
			if err := unix.Mount("", target, "", p, ""); err != nil {
				return fmt.Errorf("cgroup hierarchy %s: set propagation: %w", name, err)
			}
		}
		// "cpu,cpuacct" is also reachable as "cpu" and "cpuacct".
		if strings.Contains(name, ",") {
			for _, alias := range strings.Split(name, ",") {
				if err := os.Symlink(name, filepath.Join(dest, alias)); err != nil && !os.IsExist(err) {
					return err
				}
			}
		}
	}
	return nil
}

// hierarchySubsystems returns the subsystems of a v1 hierarchy (such as
// "cpu", "cpuacct" or "name=systemd") that this process belongs to and
// that no earlier mount in seen carried, marking them seen: runc binds
// each hierarchy once, from its first mount.
func hierarchySubsystems(h *mountinfo.Info, own map[string]string, seen map[string]bool) []string {
	var out []string
	for _, o := range strings.Split(h.VFSOptions, ",") {
		if _, ok := own[o]; !ok || o == "" || seen[o] {
			continue
		}
		seen[o] = true
		out = append(out, o)
	}
	return out
}

// mountHierarchy mounts a fresh v1 hierarchy of subsystems at target,
// for a container in a new cgroup namespace. As runc, it takes only
// read-only from the spec's flags, and names a named hierarchy's mount
// after it ("systemd").
func mountHierarchy(subsystems []string, target string, flags uintptr) error {
	source, data := "cgroup", strings.Join(subsystems, ",")
	if name, ok := strings.CutPrefix(data, "name="); ok {
		source = name
	}
	return unix.Mount(source, target, "cgroup", cgroupTmpfsFlags|flags&unix.MS_RDONLY, data)
}

// bindHierarchy binds src, this process's cgroup directory in a host
// hierarchy, at target and remounts it with the spec's flags.
func bindHierarchy(src, target string, flags uintptr) error {
	if err := unix.Mount(src, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	if rest := flags &^ (unix.MS_BIND | unix.MS_REC); rest != 0 {
		return unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|rest|lockedFlags(target), "")
	}
	return nil
}

// ownCgroups maps each subsystem of /proc/self/cgroup ("memory",
// "name=systemd", or "" for cgroup2) to this process's cgroup in it.
func ownCgroups() (map[string]string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("read own cgroups: %w", err)
	}
	own := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, s := range strings.Split(parts[1], ",") {
			own[s] = parts[2]
		}
	}
	return own, nil
}
