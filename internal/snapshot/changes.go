package snapshot

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/sys/unix"
)

// Change is one path a container changed in its root filesystem, as
// `docker diff` prints it: Kind is "A" (added), "C" (changed) or "D"
// (deleted).
type Change struct {
	Kind string
	Path string
}

// Changes reads a container's writable layer (its snapshot's upper
// directory) against the image's layers: an overlayfs whiteout is a
// deletion, a path the layers have is a change, any other an addition.
// Directories overlayfs copied up to hold a new file are changes, as in
// Docker's overlay2 driver.
func (s *Snapshotter) Changes(containerID string) ([]Change, error) {
	if !validID(containerID) {
		return nil, fmt.Errorf("snapshot: invalid container ID %q", containerID)
	}
	dir := filepath.Join(s.snapshotsDir, containerID)
	data, err := os.ReadFile(filepath.Join(dir, "snapshot.json"))
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	var rec snapshotRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	var lower []string // top layer first
	for _, l := range rec.Layers {
		lower = append([]string{filepath.Join(s.layersDir, l.Hex)}, lower...)
	}
	upper := filepath.Join(dir, "upper")
	var out []Change
	err = filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == upper {
			return err
		}
		rel := "/" + filepath.ToSlash(p[len(upper)+1:])
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		switch {
		case isWhiteout(&st):
			out = append(out, Change{"D", rel})
		case inLayers(lower, rel):
			out = append(out, Change{"C", rel})
		default:
			out = append(out, Change{"A", rel})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func isWhiteout(st *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0
}

// inLayers tells whether the image's layers (top first) have p: the
// first layer holding it decides, a whiteout there meaning it is gone.
func inLayers(lower []string, p string) bool {
	for _, l := range lower {
		var st unix.Stat_t
		if unix.Lstat(filepath.Join(l, p), &st) == nil {
			return !isWhiteout(&st)
		}
	}
	return false
}
