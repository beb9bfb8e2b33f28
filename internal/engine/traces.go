package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/linux/idmap"
	"github.com/wardproject/ward/internal/record"
)

// TraceIDs lists the container IDs that have something under the root:
// a record directory (with or without its record), a snapshot, runtime
// state or a network namespace. A container is made record first and
// removed record last, so an ID listed here that Records.List (called
// after) does not know is an orphan: a trace nothing else will remove.
func (e *Engine) TraceIDs() ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, dir := range []string{e.Records.Path(), e.Layout().Snapshots(), e.RuntimeRoot(), e.Layout().Netns()} {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, d := range entries {
			if id := d.Name(); len(id) == 64 && isHexID(id) && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out, nil
}

func isHexID(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// RemoveTraces removes what a container ID without a record left: the
// runtime's state (killing what it still runs), the network sandbox, the
// snapshot and its mount, and the directory. It refuses an ID that has a
// record, and one whose directory another ward process holds locked.
func (e *Engine) RemoveTraces(id string) error {
	if len(id) != 64 || !isHexID(id) {
		return fmt.Errorf("%w: %s", record.ErrNotFound, id)
	}
	if _, err := e.Records.Load(id); err == nil {
		return fmt.Errorf("%w: container %s has a record: remove it with rm", record.ErrConflict, id)
	}
	if _, err := os.Stat(e.Records.Dir(id)); err == nil {
		lock, err := e.Records.LockMonitor(id)
		if err != nil {
			return err
		}
		defer lock.Unlock()
	}
	var errs []error
	if e.runtimeHasState(id) {
		if err := e.Runtime.Delete(context.Background(), id, true); err != nil {
			// A state directory without state (a runtime killed in create)
			// is not the runtime's to delete: remove it here.
			errs = append(errs, os.RemoveAll(filepath.Join(e.RuntimeRoot(), id)))
		}
	}
	errs = append(errs, e.releaseNetwork(id))
	if ns := e.NetnsPath(id); fileExists(ns) {
		unix.Unmount(ns, unix.MNT_DETACH)
		errs = append(errs, os.Remove(ns))
	}
	if ns := e.UsernsPath(id); fileExists(ns) {
		errs = append(errs, idmap.Unbind(ns)) // --userns auto's bound namespace
	}
	errs = append(errs, e.Snapshots.Remove(id))
	errs = append(errs, e.Records.Delete(id))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// ReclaimIDRanges frees the --userns auto id ranges, and the user
// namespaces bound for them, of container IDs that have no record left.
func (e *Engine) ReclaimIDRanges() ([]string, error) {
	if !fileExists(e.idRangesPath()) {
		return nil, nil // no range was ever handed out under this root
	}
	a, err := e.openIDRanges()
	if err != nil {
		return nil, err
	}
	defer a.Close()
	freed, err := a.Reclaim(e.recordExists)
	for _, id := range freed {
		if ns := e.UsernsPath(id); fileExists(ns) {
			err = errors.Join(err, idmap.Unbind(ns))
		}
	}
	return freed, err
}
