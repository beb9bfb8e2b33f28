// Package prune is `ward system prune`: it removes stopped containers and
// everything that killed ward, ward-monitor or runtime processes left
// where no other command reaches it.
//
// Leftovers come from a process killed between two steps: a record whose
// supervisor died (status "running" about a dead process), a container
// directory without its record, a snapshot still mounted, runtime state
// of a create that never finished, a network namespace, a cgroup holding
// an init nobody waits for, image blobs written and never recorded, the
// id range of a --userns auto container whose record is gone. Prune
// only touches IDs this root knows (records, snapshots, runtime state,
// namespaces): other ward roots on the machine use the same cgroup
// parent, and their containers are not ours to judge.
package prune

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/linux/cgroup"
	"github.com/wardproject/ward/internal/record"
)

// Report is what a prune removed.
type Report struct {
	Containers []string // stopped containers removed (IDs)
	Orphans    []string // IDs whose traces were removed (no record)
	Cgroups    []string // cgroup directories removed
	Killed     []int    // processes killed in them
	Mounts     []string // mounts under the root undone
	IDRanges   []string // IDs whose --userns auto id range was freed
	Observers  []string // stray ward-observe processes stopped: "ID (pid N)"
	Errors     []error  // what could not be removed (prune goes on)
}

// Empty tells whether nothing was found to remove.
func (r Report) Empty() bool {
	return len(r.Containers)+len(r.Orphans)+len(r.Cgroups)+len(r.Mounts)+len(r.IDRanges)+len(r.Observers) == 0
}

// Run prunes the engine's root. Containers whose supervisor lives are
// left alone; so are running ones.
func Run(e *engine.Engine) Report {
	var rep Report
	fail := func(err error) {
		if err != nil {
			rep.Errors = append(rep.Errors, err)
		}
	}
	// Traces first, records after: a container being made has its record
	// before any other trace, so an ID traced and not recorded is an orphan.
	traces, err := e.TraceIDs()
	fail(err)
	list, err := e.Records.List()
	fail(err)
	recorded := map[string]bool{}
	live := map[string]bool{}
	removed := map[string]string{} // ID -> its cgroups path
	for _, c := range list {
		id := c.ID
		recorded[id] = true
		cgroupsPath := cgroupsPathOf(e, id) // before the bundle goes
		c, err := e.Refresh(c)              // a dead supervisor's record becomes the truth
		fail(err)
		switch {
		case c == nil: // a --rm container whose end nobody saw: removed
		case c.State.Status == record.StatusRunning || e.Records.Monitored(id):
			live[id] = true
			continue
		default:
			if err := e.Remove(c); err != nil {
				fail(err)
				live[id] = true // keep its cgroup and mounts until the error is fixed
				continue
			}
		}
		rep.Containers = append(rep.Containers, id)
		removed[id] = cgroupsPath
	}
	for _, id := range traces {
		if recorded[id] {
			continue
		}
		cgroupsPath := cgroupsPathOf(e, id) // before the bundle goes
		if err := e.RemoveTraces(id); err != nil {
			fail(err)
			live[id] = true
			continue
		}
		rep.Orphans = append(rep.Orphans, id)
		rep.pruneCgroup(cgroupsPath, id)
	}
	for id, p := range removed {
		rep.pruneCgroup(p, id)
	}
	// An init whose runtime state was removed while its create was still
	// going has no trace left but its cgroup; it is ours if it holds a
	// file of this root's runtime state (its exec fifo).
	for _, id := range unknownCgroupsHolding(filepath.Clean(e.RuntimeRoot()), live, recorded) {
		rep.Orphans = append(rep.Orphans, id)
		rep.pruneCgroup("/ward/"+id, id)
	}
	rep.pruneObservers(e.Root, live)
	rep.pruneMounts(e.Root, live)
	ranges, err := e.ReclaimIDRanges()
	fail(err)
	rep.IDRanges = ranges
	fail(e.Images.Collect())
	fail(removeStale(e.Layout().Images(), ".load-"))
	return rep
}

// cgroupsPathOf reads the container's cgroup path from its bundle, or
// ward's default when the bundle is gone.
func cgroupsPathOf(e *engine.Engine, id string) string {
	data, err := os.ReadFile(filepath.Join(e.BundleDir(id), "config.json"))
	if err == nil {
		var s specs.Spec
		if json.Unmarshal(data, &s) == nil && s.Linux != nil && s.Linux.CgroupsPath != "" {
			return s.Linux.CgroupsPath
		}
	}
	return "/ward/" + id
}

// pruneCgroup kills what is left in a dead container's cgroup (an init
// of a runtime killed before it saved its state) and removes the cgroup.
func (r *Report) pruneCgroup(cgroupsPath, id string) {
	cg, err := cgroup.New(cgroupsPath, id)
	if err != nil {
		r.Errors = append(r.Errors, fmt.Errorf("cgroup of %s: %w", id, err))
		return
	}
	var existing []string
	for _, p := range cg.Paths() {
		if _, err := os.Stat(p); err == nil && !slices.Contains(existing, p) {
			existing = append(existing, p)
		}
	}
	if len(existing) == 0 {
		return
	}
	_ = cg.Thaw()
	for range 100 {
		// Every hierarchy is asked: a leftover may sit in only some of them.
		pids := procsIn(existing)
		if len(pids) == 0 {
			break
		}
		for _, pid := range pids {
			if unix.Kill(pid, unix.SIGKILL) == nil && !slices.Contains(r.Killed, pid) {
				r.Killed = append(r.Killed, pid)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cg.Destroy(); err != nil {
		r.Errors = append(r.Errors, fmt.Errorf("cgroup of %s: %w", id, err))
		return
	}
	slices.Sort(existing)
	r.Cgroups = append(r.Cgroups, existing...)
}

// unknownCgroupsHolding lists the IDs of ward cgroups (ward's default
// parent) that belong to no live or recorded container of this root and
// hold a process with a file open under runtimeRoot/ID.
func unknownCgroupsHolding(runtimeRoot string, live, recorded map[string]bool) []string {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*/ward/*")
	more, _ := filepath.Glob("/sys/fs/cgroup/ward/*")
	var out []string
	for _, d := range append(dirs, more...) {
		id := filepath.Base(d)
		if len(id) != 64 || live[id] || recorded[id] || slices.Contains(out, id) {
			continue
		}
		for _, pid := range procsIn([]string{d}) {
			if holdsUnder(pid, filepath.Join(runtimeRoot, id)+"/") {
				out = append(out, id)
				break
			}
		}
	}
	return out
}

// holdsUnder tells whether process pid has a file open under prefix.
func holdsUnder(pid int, prefix string) bool {
	fdDir := "/proc/" + strconv.Itoa(pid) + "/fd"
	entries, err := os.ReadDir(fdDir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if l, err := os.Readlink(filepath.Join(fdDir, e.Name())); err == nil && strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// procsIn lists the processes in cgroup directories and their children.
func procsIn(dirs []string) []int {
	var pids []int
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, de os.DirEntry, err error) error {
			if err != nil || !de.IsDir() {
				return nil
			}
			data, _ := os.ReadFile(filepath.Join(p, "cgroup.procs"))
			for _, f := range strings.Fields(string(data)) {
				if pid, err := strconv.Atoi(f); err == nil && !slices.Contains(pids, pid) {
					pids = append(pids, pid)
				}
			}
			return nil
		})
	}
	return pids
}

// pruneMounts undoes mounts under the root that belong to no live
// container: a snapshot's overlay or a namespace's bind mount that a
// killed process left and whose directory is gone from the records.
func (r *Report) pruneMounts(root string, live map[string]bool) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		r.Errors = append(r.Errors, err)
		return
	}
	var targets []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || !strings.HasPrefix(f[4], root+"/") {
			continue
		}
		rel := strings.TrimPrefix(f[4], root+"/")
		parts := strings.Split(rel, "/")
		if len(parts) < 2 || (parts[0] != "snapshots" && parts[0] != "netns") {
			continue
		}
		if id := parts[1]; len(id) == 64 && !live[id] {
			targets = append(targets, f[4])
		}
	}
	// Deepest first, so a mount under another goes before it.
	slices.SortFunc(targets, func(a, b string) int { return len(b) - len(a) })
	for _, t := range targets {
		if err := unix.Unmount(t, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			r.Errors = append(r.Errors, fmt.Errorf("unmount %s: %w", t, err))
			continue
		}
		r.Mounts = append(r.Mounts, t)
	}
}

// removeStale removes temporary directories a killed load left (named
// with prefix, older than a minute so that a load in progress keeps its own).
func removeStale(dir, prefix string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var errs []error
	for _, d := range entries {
		if !strings.HasPrefix(d.Name(), prefix) {
			continue
		}
		if fi, err := d.Info(); err == nil && time.Since(fi.ModTime()) > time.Minute {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, d.Name())))
		}
	}
	return errors.Join(errs...)
}

// Print writes the report as `ward system prune` shows it: one titled
// list per kind of thing removed, or "Nothing to prune".
func (r Report) Print(out io.Writer) {
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintln(out, title)
		for _, it := range items {
			fmt.Fprintln(out, it)
		}
		fmt.Fprintln(out)
	}
	list("Deleted Containers:", r.Containers)
	list("Deleted leftovers of containers without a record:", r.Orphans)
	list("Deleted cgroups:", r.Cgroups)
	if len(r.Killed) > 0 {
		fmt.Fprintf(out, "Killed processes left in them: %v\n\n", r.Killed)
	}
	list("Stopped observers (ward-observe) of containers gone:", r.Observers)
	list("Unmounted:", r.Mounts)
	list("Freed user namespace id ranges of:", r.IDRanges)
	if r.Empty() {
		fmt.Fprintln(out, "Nothing to prune")
	}
}
