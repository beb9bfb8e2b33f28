package cp

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Options are docker cp's -a and -L.
type Options struct {
	// Archive keeps the source's owners in the container (-a); without
	// it, what is copied into a container is owned by its root, as
	// Docker's.
	Archive bool
	// FollowLink copies what a host source symlink names (-L). A source
	// in a container is always followed, inside its root.
	FollowLink bool
	// IDs are the container's user namespace mappings (nil: none).
	IDs *IDMap
}

// target is where a copy lands: the directory to extract into and the
// name the source takes there ("" for a directory's contents).
type target struct{ dir, name string }

// plan applies docker cp's rules for SRC and DEST: into an existing
// directory under the source's name (its contents for SRC/.); over an
// existing file; or as a new DEST, whose parent must exist.
func plan(src string, srcIsDir bool, dst string, stat func(string) (Info, error)) (target, error) {
	contents := srcIsDir && (strings.HasSuffix(src, "/.") || path.Clean("/"+src) == "/")
	name := path.Base(path.Clean("/" + src))
	if contents {
		name = ""
	}
	info, err := stat(dst)
	if err != nil {
		return target{}, err
	}
	switch {
	case info.Exists && info.IsDir:
		return target{dir: dst, name: name}, nil
	case info.Exists:
		if srcIsDir {
			return target{}, fmt.Errorf("cannot copy a directory to a file: %s", dst)
		}
	case strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, "/."):
		if !srcIsDir {
			return target{}, fmt.Errorf("destination directory %s does not exist", dst)
		}
	}
	parent := path.Dir(path.Clean(dst))
	pinfo, err := stat(parent)
	if err != nil {
		return target{}, err
	}
	if !pinfo.IsDir {
		return target{}, fmt.Errorf("destination directory %s does not exist", parent)
	}
	return target{dir: parent, name: path.Base(path.Clean(dst))}, nil
}

// FromContainer copies src, inside the container's root, to dst on the
// host.
func FromContainer(root *Root, src, dst string) error {
	info, err := root.Stat(src)
	if err != nil {
		return err
	}
	if !info.Exists {
		return fmt.Errorf("could not find the file %s in container", src)
	}
	t, err := plan(src, info.IsDir, dst, hostStat)
	if err != nil {
		return err
	}
	into, err := OpenRoot(t.dir)
	if err != nil {
		return err
	}
	defer into.Close()
	return pipe(func(w io.Writer) error {
		return Archive(root, src, w, ArchiveOptions{Name: t.name, FollowSource: true})
	}, func(r io.Reader) error {
		// The host's directory is the root of what is extracted: a link
		// the container wrote cannot take a later entry out of it.
		return Extract(into, "/", r, ExtractOptions{})
	})
}

// ToContainer copies src on the host to dst inside the container's
// root.
func ToContainer(root *Root, src, dst string, o Options) error {
	stat := os.Lstat
	if o.FollowLink {
		stat = os.Stat
	}
	fi, err := stat(src)
	if err != nil {
		return err
	}
	dst, err = resolveDest(root, dst)
	if err != nil {
		return err
	}
	t, err := plan(src, fi.IsDir(), dst, root.Stat)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	host, err := OpenRoot("/")
	if err != nil {
		return err
	}
	defer host.Close()
	return pipe(func(w io.Writer) error {
		return Archive(host, abs, w, ArchiveOptions{Name: t.name, FollowSource: o.FollowLink})
	}, func(r io.Reader) error {
		return Extract(root, t.dir, r, intoContainer(o))
	})
}

// StreamFrom writes src, inside the container's root, to w as a tar
// stream (`docker cp CONTAINER:SRC -`).
func StreamFrom(root *Root, src string, w io.Writer, ids *IDMap) error {
	info, err := root.Stat(src)
	if err != nil {
		return err
	}
	if !info.Exists {
		return fmt.Errorf("could not find the file %s in container", src)
	}
	name := path.Base(path.Clean("/" + src))
	if name == "/" {
		name = ""
	}
	return Archive(root, src, w, ArchiveOptions{Name: name, FollowSource: true, IDs: ids})
}

// StreamTo extracts a tar stream into the directory dst inside the
// container's root (`docker cp - CONTAINER:DEST`).
func StreamTo(root *Root, r io.Reader, dst string, o Options) error {
	dst, err := resolveDest(root, dst)
	if err != nil {
		return err
	}
	info, err := root.Stat(dst)
	if err != nil {
		return err
	}
	if !info.IsDir {
		return fmt.Errorf("destination %s must be a directory", dst)
	}
	return Extract(root, dst, r, intoContainer(o))
}

// resolveDest follows the symlinks of a destination inside the root, as
// Docker does, keeping a final slash (which says "a directory").
func resolveDest(root *Root, dst string) (string, error) {
	resolved, err := root.Resolve(dst)
	if err != nil {
		return "", err
	}
	if strings.HasSuffix(dst, "/") && resolved != "/" {
		resolved += "/"
	}
	return resolved, nil
}

func intoContainer(o Options) ExtractOptions {
	return ExtractOptions{KeepOwners: o.Archive, SetOwner: true, IDs: o.IDs}
}

func hostStat(p string) (Info, error) {
	fi, err := os.Stat(p)
	if os.IsNotExist(err) {
		return Info{}, nil
	}
	if err != nil {
		return Info{}, err
	}
	return Info{Exists: true, IsDir: fi.IsDir()}, nil
}

// pipe runs a writer and a reader of one stream side by side.
func pipe(write func(io.Writer) error, read func(io.Reader) error) error {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := write(pw)
		pw.CloseWithError(err)
		done <- err
	}()
	rerr := read(pr)
	pr.CloseWithError(fmt.Errorf("copy stopped"))
	if werr := <-done; werr != nil {
		return werr
	}
	return rerr
}

// CopyTree copies the directory src, inside from, into the host
// directory dst with owners and modes kept (the directory's own
// included): how an image's content fills a new volume. A src that does
// not exist, or is not a directory, copies nothing.
func CopyTree(from *Root, src, dst string) error {
	info, err := from.Stat(src)
	if err != nil || !info.Exists || !info.IsDir {
		return err
	}
	into, err := OpenRoot(dst)
	if err != nil {
		return err
	}
	defer into.Close()
	return pipe(func(w io.Writer) error {
		return Archive(from, src, w, ArchiveOptions{Name: ".", FollowSource: true})
	}, func(r io.Reader) error {
		return Extract(into, "/", r, ExtractOptions{KeepOwners: true, ApplyToDir: true})
	})
}
