package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Set writes linux.resources into the cgroup. Only the fields present are
// written. A setting this host cannot apply (controller not mounted, file
// missing from the kernel) fails with ErrNotSupported naming the file; the
// settings before it stay written.
func (m *Manager) Set(r *specs.LinuxResources) error {
	if r == nil {
		return nil
	}
	var err error
	if m.mode == Unified {
		err = m.setV2(r)
	} else {
		err = m.setV1(r)
	}
	if err != nil {
		return fmt.Errorf("set cgroup resources: %w", err)
	}
	return nil
}

// Update applies new limits to a running container's cgroup; it is Set,
// named for `ward-runtime update`.
func (m *Manager) Update(r *specs.LinuxResources) error { return m.Set(r) }

// hierarchyDir returns the directory in one hierarchy, or an error naming
// the file that could not be written because the hierarchy is not mounted.
func (m *Manager) hierarchyDir(key, file string) (string, error) {
	if dir, ok := m.paths[key]; ok {
		return dir, nil
	}
	what := "the " + key + " cgroup v1 controller is not mounted"
	if key == UnifiedKey {
		what = "no cgroup v2 hierarchy is mounted"
	}
	return "", fmt.Errorf("cannot write %s: %s: %w", file, what, ErrNotSupported)
}

// write sets one file in one hierarchy.
func (m *Manager) write(key, file, value string) error {
	dir, err := m.hierarchyDir(key, file)
	if err != nil {
		return err
	}
	return writeFile(dir, file, value)
}

// firstExisting returns the first of names present in the hierarchy's
// directory, or the first name so that the error names the usual file.
func (m *Manager) firstExisting(key string, names ...string) string {
	dir := m.paths[key]
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return n
		}
	}
	return names[0]
}

func itoa(n int64) string  { return strconv.FormatInt(n, 10) }
func utoa(n uint64) string { return strconv.FormatUint(n, 10) }

// limitString renders a limit where negative means unlimited, as cgroup2's
// "max" keyword.
func limitString(n int64) string {
	if n < 0 {
		return "max"
	}
	return itoa(n)
}

// checkUsage refuses a memory limit below current usage, for
// linux.resources.memory.checkBeforeUpdate: the kernel would otherwise
// reclaim and then OOM-kill to meet it.
func (m *Manager) checkUsage(key, usageFile string, limit int64) error {
	if limit < 0 {
		return nil
	}
	dir, err := m.hierarchyDir(key, usageFile)
	if err != nil {
		return err
	}
	usage, _, err := readUint(dir, usageFile)
	if err != nil {
		return err
	}
	if uint64(limit) < usage {
		return fmt.Errorf("memory limit %d is below current usage %d (checkBeforeUpdate)", limit, usage)
	}
	return nil
}

// setUnified writes the linux.resources.unified map: raw cgroup2 files.
func (m *Manager) setUnified(u map[string]string) error {
	keys := make([]string, 0, len(u))
	for k := range u {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "" || strings.Contains(k, "/") || k == "." || k == ".." {
			return fmt.Errorf("unified key %q is not a cgroup file name", k)
		}
		if strings.HasPrefix(k, "cgroup.") && k != "cgroup.freeze" && k != "cgroup.max.depth" && k != "cgroup.max.descendants" {
			return fmt.Errorf("unified key %q: only the runtime manages %s", k, k)
		}
		if err := m.write(UnifiedKey, k, u[k]); err != nil {
			return err
		}
	}
	return nil
}

// hugetlbFile names the limit file for a page size on either version.
func hugetlbFile(pagesize string, v2 bool) (string, error) {
	if pagesize == "" || strings.ContainsAny(pagesize, "/ ") {
		return "", fmt.Errorf("invalid hugepage size %q", pagesize)
	}
	if v2 {
		return "hugetlb." + pagesize + ".max", nil
	}
	return "hugetlb." + pagesize + ".limit_in_bytes", nil
}

// rdmaLines renders linux.resources.rdma as rdma.max lines, one per device.
func rdmaLines(r map[string]specs.LinuxRdma) []string {
	devs := make([]string, 0, len(r))
	for d := range r {
		devs = append(devs, d)
	}
	slices.Sort(devs)
	var lines []string
	for _, d := range devs {
		l := d
		if h := r[d].HcaHandles; h != nil {
			l += " hca_handle=" + strconv.FormatUint(uint64(*h), 10)
		}
		if o := r[d].HcaObjects; o != nil {
			l += " hca_object=" + strconv.FormatUint(uint64(*o), 10)
		}
		lines = append(lines, l)
	}
	return lines
}

// deviceNumbers renders "major:minor" for block I/O rules.
func deviceNumbers(d specs.LinuxBlockIODevice) string {
	return itoa(d.Major) + ":" + itoa(d.Minor)
}

var errNoV2Equivalent = errors.New("no cgroup v2 equivalent")
