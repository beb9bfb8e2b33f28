package cgroup

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/moby/sys/mountinfo"
)

// Mode is how the host mounts its cgroup hierarchies.
type Mode int

const (
	// Legacy hosts mount only cgroup v1 hierarchies.
	Legacy Mode = iota + 1
	// Hybrid hosts mount v1 controllers plus an empty cgroup2 hierarchy
	// (usually /sys/fs/cgroup/unified) that holds no controllers of its own.
	Hybrid
	// Unified hosts mount only cgroup2, normally at /sys/fs/cgroup.
	Unified
)

func (m Mode) String() string {
	switch m {
	case Legacy:
		return "legacy"
	case Hybrid:
		return "hybrid"
	case Unified:
		return "unified"
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// UnifiedKey is the key of the cgroup2 hierarchy in Paths; every other key is
// a v1 controller name ("memory", "cpu", "name=systemd").
const UnifiedKey = "unified"

// mount is one cgroup hierarchy as mounted on the host.
type mount struct {
	Point string // where it is mounted, e.g. /sys/fs/cgroup/memory
	Root  string // the cgroup shown at Point (not "/" inside a cgroup namespace)
}

// hierarchies maps each v1 controller (and UnifiedKey) to its mount.
type hierarchies map[string]mount

// v1MountOptions are cgroup v1 super options that are not controller names.
var v1MountOptions = map[string]bool{
	"rw": true, "ro": true, "noprefix": true, "clone_children": true,
	"xattr": true, "cpuset_v2_mode": true, "favordynmods": true,
}

// parseMountinfo finds the cgroup hierarchies in a /proc/<pid>/mountinfo
// listing. The first mount of a hierarchy wins, as bind mounts of the same
// hierarchy may follow.
func parseMountinfo(r io.Reader) (hierarchies, error) {
	infos, err := mountinfo.GetMountsFromReader(r, func(i *mountinfo.Info) (skip, stop bool) {
		return i.FSType != "cgroup" && i.FSType != "cgroup2", false
	})
	if err != nil {
		return nil, fmt.Errorf("parse mountinfo: %w", err)
	}
	h := hierarchies{}
	for _, i := range infos {
		m := mount{Point: i.Mountpoint, Root: i.Root}
		if i.FSType == "cgroup2" {
			if _, ok := h[UnifiedKey]; !ok {
				h[UnifiedKey] = m
			}
			continue
		}
		for _, opt := range strings.Split(i.VFSOptions, ",") {
			if opt == "" || v1MountOptions[opt] || strings.HasPrefix(opt, "release_agent=") {
				continue
			}
			if _, ok := h[opt]; !ok {
				h[opt] = m
			}
		}
	}
	// A cgroup2 mount at the usual place makes a unified host; a named v1
	// hierarchy left beside it (some hosts keep name=systemd) does not make
	// it hybrid, and the runtime must not use it.
	if u, ok := h[UnifiedKey]; ok && u.Point == defaultMountpoint {
		h = hierarchies{UnifiedKey: u}
	}
	return h, nil
}

// defaultMountpoint is where distributions mount cgroups.
const defaultMountpoint = "/sys/fs/cgroup"

// mode tells how the hierarchies are laid out.
func (h hierarchies) mode() (Mode, error) {
	_, v2 := h[UnifiedKey]
	v1 := len(h) > 1 || (len(h) == 1 && !v2)
	switch {
	case v1 && v2:
		return Hybrid, nil
	case v1:
		return Legacy, nil
	case v2:
		return Unified, nil
	}
	return 0, fmt.Errorf("no cgroup hierarchy is mounted: %w", ErrNotSupported)
}

// DetectMode reads a mountinfo listing (normally /proc/self/mountinfo) and
// tells whether the host is legacy, hybrid or unified.
func DetectMode(mountinfo io.Reader) (Mode, error) {
	h, err := parseMountinfo(mountinfo)
	if err != nil {
		return 0, err
	}
	return h.mode()
}

// parseProcCgroup reads a /proc/<pid>/cgroup listing into a map from v1
// controller (or UnifiedKey for the "0::" line) to the process's cgroup.
func parseProcCgroup(r io.Reader) (map[string]string, error) {
	own := map[string]string{}
	s := bufio.NewScanner(r)
	for s.Scan() {
		fields := strings.SplitN(s.Text(), ":", 3)
		if len(fields) != 3 {
			continue
		}
		if fields[0] == "0" && fields[1] == "" {
			own[UnifiedKey] = fields[2]
			continue
		}
		for _, c := range strings.Split(fields[1], ",") {
			own[c] = fields[2]
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("parse /proc/self/cgroup: %w", err)
	}
	return own, nil
}
