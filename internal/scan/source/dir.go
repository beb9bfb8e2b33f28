package source

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir is an unpacked root filesystem: a source with one layer.
type Dir struct{ root string }

// OpenDir returns the directory root as a Source.
func OpenDir(root string) (*Dir, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("open rootfs %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open rootfs %s: not a directory", root)
	}
	// Walk the real directory when root itself is a symlink to it; links
	// inside the rootfs are never followed.
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	return &Dir{root: root}, nil
}

// Layers returns the directory itself as the only layer.
func (d *Dir) Layers() []Layer { return []Layer{dirLayer{d.root}} }

// Close does nothing: a directory holds no open files between walks.
func (d *Dir) Close() error { return nil }

type dirLayer struct{ root string }

func (dirLayer) Digest() string { return "" }

// pseudoFS are kernel filesystems a live root ("/") would show; they hold no
// packages and walking them is slow or endless.
var pseudoFS = map[string]bool{"proc": true, "sys": true, "dev": true}

func (l dirLayer) Walk(fn func(Entry) error) error {
	return filepath.WalkDir(l.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return nil // unreadable corners of a rootfs are not fatal
			}
			return err
		}
		rel, err := filepath.Rel(l.root, p)
		if err != nil {
			return err
		}
		name := CleanPath(filepath.ToSlash(rel))
		if name == "" {
			return nil
		}
		if d.IsDir() && pseudoFS[name] {
			return filepath.SkipDir
		}
		e := Entry{Path: name, Mode: d.Type()}
		switch {
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return nil // vanished while walking
			}
			e.Mode, e.Size = fi.Mode(), fi.Size()
			full := p
			e.Open = func() (io.ReadCloser, error) { return os.Open(full) }
		case d.Type()&fs.ModeSymlink != 0:
			e.Linkname, _ = os.Readlink(p)
		}
		return fn(e)
	})
}
