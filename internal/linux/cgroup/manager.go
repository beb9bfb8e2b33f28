// Package cgroup places processes in Linux control groups and applies OCI
// resource limits to them, on legacy (v1), hybrid and unified (v2) hosts.
// It knows nothing of containers: the runtime names a cgroup path and a pid.
package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Manager owns one cgroup, which is a directory of the same relative path in
// every mounted hierarchy: one per v1 controller on legacy and hybrid hosts,
// plus the cgroup2 hierarchy (key UnifiedKey) on hybrid and unified hosts.
//
// Lifecycle: New computes the directories from an OCI linux.cgroupsPath and
// touches nothing. Apply creates them and moves a pid in (the container's
// init, before it execs). Set writes linux.resources once; Update writes
// them again for a running container. Freeze and Thaw pause and resume every
// process in it; Pids and Stats observe it. Destroy removes the directories
// once every process in them is gone: it kills nothing, so the runtime kills
// first. Paths is what the runtime saves in its state file, and Load
// rebuilds a Manager from it in a later invocation.
//
// A Manager is not safe for concurrent use.
type Manager struct {
	mode  Mode
	paths map[string]string // hierarchy key -> absolute directory
}

// DefaultParent is the cgroup under which containers without a cgroupsPath go.
const DefaultParent = "/ward"

// New prepares a Manager for cgroupsPath, read as runc's cgroupfs driver
// reads linux.cgroupsPath: an absolute path is relative to each hierarchy's
// root, a relative path is relative to the calling process's own cgroup, and
// an empty path means DefaultParent/containerID. A relative path of the
// systemd driver's form "slice:prefix:name" is ErrSystemdPath. Nothing is
// created until Apply.
func New(cgroupsPath, containerID string) (*Manager, error) {
	mi, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("find cgroup mounts: %w", err)
	}
	defer mi.Close()
	h, err := parseMountinfo(mi)
	if err != nil {
		return nil, err
	}
	pc, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("find own cgroup: %w", err)
	}
	defer pc.Close()
	own, err := parseProcCgroup(pc)
	if err != nil {
		return nil, err
	}
	return newManager(h, own, cgroupsPath, containerID)
}

// newManager is New with the host's mounts and own cgroups given.
func newManager(h hierarchies, own map[string]string, cgroupsPath, containerID string) (*Manager, error) {
	inner, relative, err := innerPath(cgroupsPath, containerID)
	if err != nil {
		return nil, err
	}
	mode, err := h.mode()
	if err != nil {
		return nil, err
	}
	paths := make(map[string]string, len(h))
	for key, mnt := range h {
		base := "/"
		if relative {
			base = ownPath(own[key], mnt.Root)
		}
		// Joining under "/" first keeps ".." from climbing above the mount.
		paths[key] = filepath.Join(mnt.Point, filepath.Join("/", base, inner))
	}
	return &Manager{mode: mode, paths: paths}, nil
}

// innerPath validates cgroupsPath and returns the cgroup it names inside a
// hierarchy, and whether that is relative to the caller's own cgroup.
func innerPath(cgroupsPath, containerID string) (string, bool, error) {
	if cgroupsPath == "" {
		if containerID == "" || strings.ContainsAny(containerID, "/") || containerID == "." || containerID == ".." {
			return "", false, fmt.Errorf("default cgroup path: invalid container id %q", containerID)
		}
		return DefaultParent + "/" + containerID, false, nil
	}
	if !filepath.IsAbs(cgroupsPath) && strings.Count(cgroupsPath, ":") == 2 {
		return "", false, fmt.Errorf("cgroupsPath %q: %w (use a cgroupfs path such as /ward/<id>)", cgroupsPath, ErrSystemdPath)
	}
	if filepath.IsAbs(cgroupsPath) {
		p := filepath.Clean(cgroupsPath)
		if p == "/" {
			return "", false, fmt.Errorf("cgroupsPath %q names the root cgroup", cgroupsPath)
		}
		return p, false, nil
	}
	p := filepath.Clean(cgroupsPath)
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return "", false, fmt.Errorf("cgroupsPath %q leaves the runtime's own cgroup", cgroupsPath)
	}
	return p, true, nil
}

// ownPath turns the caller's cgroup as /proc/self/cgroup shows it into a path
// below the hierarchy's mount, whose root may itself be a sub-cgroup.
func ownPath(own, root string) string {
	if own == "" {
		return "/"
	}
	if root != "/" && root != "" {
		if rest, ok := strings.CutPrefix(own, root); ok && (rest == "" || rest[0] == '/') {
			return "/" + rest
		}
	}
	return own
}

// Load rebuilds a Manager from the map Paths returned, as saved in the
// runtime's state file.
func Load(paths map[string]string) (*Manager, error) {
	if len(paths) == 0 {
		return nil, errors.New("load cgroup: no paths saved")
	}
	m := &Manager{paths: make(map[string]string, len(paths))}
	for k, p := range paths {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("load cgroup: %s path %q is not absolute", k, p)
		}
		m.paths[k] = filepath.Clean(p)
	}
	_, v2 := m.paths[UnifiedKey]
	switch {
	case v2 && len(m.paths) == 1:
		m.mode = Unified
	case v2:
		m.mode = Hybrid
	default:
		m.mode = Legacy
	}
	return m, nil
}

// Mode tells how the host mounts cgroups.
func (m *Manager) Mode() Mode { return m.mode }

// Paths returns a copy of the cgroup directory in each hierarchy, keyed by
// v1 controller name or UnifiedKey.
func (m *Manager) Paths() map[string]string {
	out := make(map[string]string, len(m.paths))
	for k, v := range m.paths {
		out[k] = v
	}
	return out
}

// Path returns the directory in one hierarchy, or "" when it is not mounted.
func (m *Manager) Path(key string) string { return m.paths[key] }

// dirs returns each distinct directory once (co-mounted controllers such as
// cpu,cpuacct share one), in a stable order.
func (m *Manager) dirs() []string {
	var out []string
	for _, p := range m.paths {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Apply creates the cgroup in every hierarchy and moves pid into it. A pid
// of -1 only creates the directories. If creating fails, the directories
// Apply made are removed again.
func (m *Manager) Apply(pid int) (err error) {
	var created []string
	defer func() {
		if err != nil {
			for i := len(created) - 1; i >= 0; i-- {
				_ = unix.Rmdir(created[i])
			}
		}
	}()
	keys := make([]string, 0, len(m.paths))
	for k := range m.paths {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		dir := m.paths[key]
		made, err := mkdirAll(dir)
		created = append(created, made...)
		if err != nil {
			return err
		}
		switch key {
		case "cpuset":
			for _, d := range made {
				if err := initCpuset(d); err != nil {
					return err
				}
			}
		case UnifiedKey:
			// On a hybrid host the controllers belong to v1; the cgroup2
			// hierarchy is only joined, and its root is left untouched.
			if m.mode == Unified {
				enableControllers(dir)
			}
		}
	}
	if pid == -1 {
		return nil
	}
	if pid <= 0 {
		return fmt.Errorf("apply cgroup: invalid pid %d", pid)
	}
	for _, dir := range m.dirs() {
		if err := writeFile(dir, "cgroup.procs", strconv.Itoa(pid)); err != nil {
			return fmt.Errorf("move pid %d into cgroup: %w", pid, err)
		}
	}
	return nil
}

// mkdirAll is os.MkdirAll that reports the directories it made, top first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("create cgroup: %w", err)
		}
		missing = append(missing, d)
		if d == "/" {
			break
		}
	}
	slices.Reverse(missing)
	var made []string
	for _, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return made, fmt.Errorf("create cgroup: %w", err)
		}
		made = append(made, d)
	}
	return made, nil
}

// initCpuset copies cpuset.cpus and cpuset.mems from the parent into a new
// v1 cpuset cgroup: the kernel leaves them empty, and an empty cpuset
// refuses every task.
func initCpuset(dir string) error {
	parent := filepath.Dir(dir)
	for _, name := range []string{"cpuset.cpus", "cpuset.mems"} {
		cur, err := readFile(dir, name)
		if err != nil {
			return err
		}
		if cur != "" {
			continue
		}
		v, err := readFile(parent, name)
		if err != nil {
			return err
		}
		if err := writeFile(dir, name, v); err != nil {
			return err
		}
	}
	return nil
}

// enableControllers turns on, in every cgroup2 ancestor of dir, all the
// controllers that ancestor has, so that dir gets their files. Failures are
// ignored: an ancestor holding processes cannot delegate (the "no internal
// processes" rule), and Set then names the file that is missing.
func enableControllers(dir string) {
	var chain []string
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		var st unix.Statfs_t
		if unix.Statfs(d, &st) != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
			break
		}
		chain = append(chain, d)
		if d == "/" {
			break
		}
	}
	slices.Reverse(chain)
	for _, d := range chain {
		avail, err := readFile(d, "cgroup.controllers")
		if err != nil || avail == "" {
			continue
		}
		ctrls := strings.Fields(avail)
		all := "+" + strings.Join(ctrls, " +")
		if writeFile(d, "cgroup.subtree_control", all) == nil {
			continue
		}
		for _, c := range ctrls {
			_ = writeFile(d, "cgroup.subtree_control", "+"+c)
		}
	}
}

// Pids lists the processes in the cgroup and its sub-cgroups.
func (m *Manager) Pids() ([]int, error) {
	dir := m.pidsDir()
	if dir == "" {
		return nil, fmt.Errorf("list cgroup pids: no hierarchy: %w", ErrNotSupported)
	}
	var pids []int
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && path != dir {
				return nil // a sub-cgroup went away while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		s, err := readFile(path, "cgroup.procs")
		if err != nil {
			if errors.Is(err, ErrNotSupported) && path != dir {
				return nil
			}
			return err
		}
		for _, f := range strings.Fields(s) {
			pid, err := strconv.Atoi(f)
			if err != nil {
				return fmt.Errorf("parse %s: %w", filepath.Join(path, "cgroup.procs"), err)
			}
			pids = append(pids, pid)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list cgroup pids: %w", err)
	}
	slices.Sort(pids)
	return slices.Compact(pids), nil
}

// pidsDir picks the hierarchy to list processes from.
func (m *Manager) pidsDir() string {
	for _, k := range []string{UnifiedKey, "pids", "freezer", "devices", "memory"} {
		if p, ok := m.paths[k]; ok {
			return p
		}
	}
	if d := m.dirs(); len(d) > 0 {
		return d[0]
	}
	return ""
}

// Destroy removes the cgroup, and any sub-cgroups, from every hierarchy. It
// kills nothing: a cgroup that still holds processes stays busy and Destroy
// fails after retrying briefly. A cgroup already gone is not an error.
func (m *Manager) Destroy() error {
	var errs []error
	// One short budget for all hierarchies: EBUSY right after the last
	// process exits clears in milliseconds, and a live process never clears.
	deadline := time.Now().Add(300 * time.Millisecond)
	for _, dir := range m.dirs() {
		if err := removeTree(dir, deadline); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeTree removes a cgroup directory, its sub-cgroups first. A cgroup
// directory is removed with rmdir even though it lists files: the kernel
// owns them.
func removeTree(dir string, deadline time.Time) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove cgroup: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := removeTree(filepath.Join(dir, e.Name()), deadline); err != nil {
				return err
			}
		}
	}
	delay := 5 * time.Millisecond
	for {
		err := unix.Rmdir(dir)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			return fmt.Errorf("remove cgroup %s: %w", dir, err)
		}
		time.Sleep(delay)
		delay *= 2
	}
}
