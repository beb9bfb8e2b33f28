// Package imagefiles reads a few small files of an image without
// unpacking or mounting it: the layers are streamed, whiteouts and opaque
// directories applied as the union mount would, and symlinks and hard
// links resolved inside the image (an absolute target is the image's
// root, ".." stops at it). `ward run --dry-run` and `--policy` read the
// image's /etc/passwd and /etc/group this way, where a real run reads the
// mounted rootfs, so both resolve --user with the same code and a dry run
// creates nothing.
package imagefiles

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/wardproject/ward/internal/scan/source"
)

// maxFile bounds what is read of one file: passwd and group files are
// small, and a layer is hostile input.
const maxFile = 8 << 20

// maxLinks is the kernel's limit on symlinks followed in one lookup.
const maxLinks = 40

// Files holds the files Read was asked for, as the merged image shows
// them. It implements runspec.Files.
type Files struct {
	content map[string][]byte // by the absolute path asked for
}

// ReadFile returns the content of name, one of the paths given to Read;
// an error wrapping fs.ErrNotExist when the image has no such file.
func (f *Files) ReadFile(name string) ([]byte, error) {
	data, ok := f.content[path.Clean("/"+name)]
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return data, nil
}

// node is one path of the merged filesystem: the layer that last wrote
// it, its type, and a link's target.
type node struct {
	layer    int
	mode     fs.FileMode
	linkname string // symlink target, or a hard link's path in the image
}

// Read walks the layers of src (lowest first) and returns the files
// named, absolute paths inside the image. A path that is missing, a
// directory or a dangling link is left out (ReadFile says not found).
func Read(src source.Source, names ...string) (*Files, error) {
	layers := src.Layers()
	tree := newMerged()
	// Contents of files whose base name is wanted, kept while walking so
	// that the usual case (no links) needs one pass.
	bases := map[string]bool{}
	for _, n := range names {
		bases[path.Base(n)] = true
	}
	kept := map[string][]byte{} // the content of the last regular file written at a path
	for i, l := range layers {
		err := l.Walk(func(e source.Entry) error {
			tree.apply(i, e)
			if e.Open != nil && e.Mode.IsRegular() && e.Linkname == "" && bases[path.Base(e.Path)] {
				data, err := readEntry(e)
				if err != nil {
					return err
				}
				kept[e.Path] = data
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read image layer %s: %w", l.Digest(), err)
		}
	}

	out := &Files{content: map[string][]byte{}}
	missing := map[string][]string{} // resolved path -> names asking for it
	for _, n := range names {
		abs := path.Clean("/" + n)
		p, ok := resolve(tree, strings.TrimPrefix(abs, "/"))
		if !ok {
			continue
		}
		if data, ok := kept[p]; ok {
			out.content[abs] = data
		} else {
			missing[p] = append(missing[p], abs)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	// A link led to a file of another name: read it from the layer that
	// last wrote it.
	for i, l := range layers {
		err := l.Walk(func(e source.Entry) error {
			asked, ok := missing[e.Path]
			if !ok || tree.nodes[e.Path].layer != i || e.Open == nil {
				return nil
			}
			data, err := readEntry(e)
			if err != nil {
				return err
			}
			for _, a := range asked {
				out.content[a] = data
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read image layer %s: %w", l.Digest(), err)
		}
	}
	return out, nil
}

// merged is the union of the layers walked so far: for every path, the
// layer that last wrote it, and the layers that hid what lower layers
// put at or below a path (whiteouts, opaque directories, a directory
// replaced by a file). An entry is visible when nothing at or above its
// path hid it after it was written, so applying a layer never scans the
// whole tree and a hostile image full of whiteouts costs no more than
// its entries.
type merged struct {
	nodes map[string]node
	self  map[string]int // whiteout of the path itself (and below), by layer
	below map[string]int // what is below the path hidden (opaque, replaced, whiteout), by layer
}

func newMerged() *merged {
	return &merged{nodes: map[string]node{}, self: map[string]int{}, below: map[string]int{}}
}

// apply records entry e of layer i, as overlayfs would show it.
func (m *merged) apply(i int, e source.Entry) {
	switch {
	case e.Whiteout:
		m.self[e.Path], m.below[e.Path] = i, i
		return
	case e.Opaque:
		m.below[e.Path] = i
		return
	}
	if !e.Mode.IsDir() {
		m.below[e.Path] = i // a file or link hides a lower directory's content
	}
	m.nodes[e.Path] = node{layer: i, mode: e.Mode, linkname: e.Linkname}
}

// lookup returns the visible entry at p.
func (m *merged) lookup(p string) (node, bool) {
	n, ok := m.nodes[p]
	if !ok {
		return node{}, false
	}
	if l, ok := m.self[p]; ok && l > n.layer {
		return node{}, false
	}
	for a := parent(p); ; a = parent(a) {
		if a != "" {
			if l, ok := m.below[a]; ok && l > n.layer {
				return node{}, false
			}
		}
		if a == "" {
			return n, true
		}
	}
}

func readEntry(e source.Entry) ([]byte, error) {
	rc, err := e.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Path, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.Path, err)
	}
	if len(data) > maxFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", e.Path, maxFile)
	}
	return data, nil
}

// resolve follows p (relative to the root, cleaned) through symlinks in
// every component and a final hard link, within the image; it returns the
// path of the regular file it names.
func resolve(tree *merged, p string) (string, bool) {
	links := 0
	rest := strings.Split(p, "/")
	cur := "" // resolved so far, relative to the root
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = parent(cur)
			continue
		}
		next := join(cur, c)
		n, ok := tree.lookup(next)
		if ok && n.mode&fs.ModeSymlink != 0 {
			if links++; links > maxLinks {
				return "", false
			}
			target := n.linkname
			if strings.HasPrefix(target, "/") {
				cur = ""
			}
			rest = append(strings.Split(target, "/"), rest...)
			continue
		}
		// A directory, or a path a layer implies without an entry of its
		// own (tar writers may leave parents out): the final lookup
		// decides.
		cur = next
	}
	n, ok := tree.lookup(cur)
	if !ok {
		return "", false
	}
	if n.mode.IsRegular() && n.linkname != "" { // a hard link: its target's content
		target := source.CleanPath(n.linkname)
		if t, ok := tree.lookup(target); !ok || !t.mode.IsRegular() || t.linkname != "" {
			return "", false
		}
		return target, true
	}
	if !n.mode.IsRegular() {
		return "", false
	}
	return cur, true
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func parent(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return ""
}
