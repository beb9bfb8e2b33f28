// Package source presents what ward analyzes as a filesystem made of layers:
// a directory (one layer), a rootfs tarball (one layer), a docker-save or OCI
// archive (its layers in order). An image in ward's store becomes another
// implementation of Source.
//
// Nothing is extracted: layers are streamed, and analyzers see only entries
// with a cleaned path relative to the root, so hostile names ("../x",
// absolute paths, symlinks out of the root) cannot reach the host.
package source

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Source is a filesystem made of ordered layers. Its lifecycle: Open returns
// it, Layers lists the layers lowest first, each layer is walked at most
// once, and Close releases files the source holds.
type Source interface {
	Layers() []Layer
	Close() error
}

// Layer is one filesystem change set.
type Layer interface {
	// Digest names the layer (the uncompressed diff ID when known); empty for
	// a directory or plain rootfs tarball.
	Digest() string
	// Walk calls fn for every entry in the layer. Entry.Open reads a regular
	// file's content and is valid only during the call.
	Walk(fn func(Entry) error) error
}

// Entry is one file, directory, link or whiteout in a layer.
type Entry struct {
	Path     string      // cleaned, relative to the root, no leading "/" or "./"
	Mode     fs.FileMode // type bits and permissions
	Size     int64
	Linkname string // symlink target as recorded, unresolved
	// Whiteout marks Path as deleted from lower layers (.wh.NAME); Opaque
	// marks directory Path as hiding all lower-layer content (.wh..wh..opq).
	Whiteout bool
	Opaque   bool
	Open     func() (io.ReadCloser, error)
}

// CleanPath makes a tar or walk name relative to the root. It returns ""
// for names that are empty or climb out of the root, which callers skip.
func CleanPath(name string) string {
	name = strings.TrimPrefix(name, "./")
	p := path.Clean("/" + name)
	if p == "/" {
		return ""
	}
	// path.Clean of a rooted path never keeps "..", so the result is inside.
	return p[1:]
}

// whiteout turns a layer entry named ".wh.X" into a deletion of X, and
// ".wh..wh..opq" into an opaque marker for its directory.
func whiteout(e *Entry) {
	dir, base := path.Split(e.Path)
	switch {
	case base == ".wh..wh..opq":
		e.Path = strings.TrimSuffix(dir, "/")
		e.Opaque = true
	case strings.HasPrefix(base, ".wh."):
		e.Path = dir + strings.TrimPrefix(base, ".wh.")
		e.Whiteout = true
	}
}

// Open returns the source named by target: a directory or a tar file.
// Image references are resolved by the engine's image store, not here.
func Open(target string) (Source, error) {
	fi, err := os.Stat(target)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such directory or archive (image references need ward's image store): %w", target, err)
		}
		return nil, err
	}
	if fi.IsDir() {
		return OpenDir(target)
	}
	return OpenArchive(target)
}
