package snapshot

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

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
	if rec.Init && len(rec.Layers) > 0 {
		lower = append([]string{filepath.Join(s.layersDir, rec.Layers[len(rec.Layers)-1].Hex+initLayerSuffix)}, lower...)
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

// WriteDiff writes a container's writable layer to w as an image layer
// tar: overlayfs whiteouts become ".wh." entries and an opaque directory
// gets ".wh..wh..opq", the OCI layer format `ward commit` stores. Paths
// keep refuses ("/etc/hostname") are left out; owners go through ids (the
// host's ids to the container's, for a container in a user namespace;
// nil keeps them).
func (s *Snapshotter) WriteDiff(containerID string, w io.Writer, keep func(path string) bool, ids func(uid, gid int) (int, int)) error {
	if !validID(containerID) {
		return fmt.Errorf("snapshot: invalid container ID %q", containerID)
	}
	upper := filepath.Join(s.snapshotsDir, containerID, "upper")
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == upper {
			return err
		}
		rel := filepath.ToSlash(p[len(upper)+1:])
		if keep != nil && !keep("/"+rel) {
			return nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		if isWhiteout(&st) {
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path.Join(path.Dir(rel), ".wh."+path.Base(rel)), Mode: 0o600,
				ModTime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec)})
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return nil // a socket: not kept in layers
		}
		hdr.Name, hdr.Uname, hdr.Gname = rel, "", ""
		if ids != nil {
			hdr.Uid, hdr.Gid = ids(hdr.Uid, hdr.Gid)
		}
		hdr.Format = tar.FormatPAX
		if fi.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if fi.IsDir() {
			buf := make([]byte, 2)
			if n, _ := unix.Lgetxattr(p, "trusted.overlay.opaque", buf); n == 1 && buf[0] == 'y' {
				return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: rel + "/.wh..wh..opq", Mode: 0o600, ModTime: hdr.ModTime})
			}
			return nil
		}
		if fi.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := io.CopyN(tw, f, hdr.Size); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	return tw.Close()
}
