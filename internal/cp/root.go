// Package cp copies files into and out of a container's root filesystem
// as `docker cp` does, with every path resolved inside the root: a
// symlink in the container, absolute or full of "..", names something
// inside the same root, never a file of the host, whichever way the copy
// goes and whatever the container changes meanwhile.
//
// The kernel does the resolution (openat2 with RESOLVE_IN_ROOT), one
// directory at a time: each entry is then made or read relative to its
// parent's descriptor with the *at calls and without following a final
// symlink. Copies go through a tar stream, as Docker's do, so `ward cp`
// of "-" reads or writes the same archive.
package cp

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Root is a directory every path given to it is resolved inside, as if
// it were "/".
type Root struct {
	fd   int
	path string // for messages
}

// OpenRoot opens dir as a Root.
func OpenRoot(dir string) (*Root, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open root %s: %w", dir, err)
	}
	return &Root{fd: fd, path: dir}, nil
}

// Close releases the root's descriptor.
func (r *Root) Close() error { return unix.Close(r.fd) }

// rel is p relative to the root ("." for the root itself).
func rel(p string) string {
	p = strings.TrimLeft(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

// open opens p inside the root, following symlinks inside it, never
// through /proc's magic links.
func (r *Root) open(p string, flags int, mode uint32) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Mode: uint64(mode),
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	for {
		fd, err := unix.Openat2(r.fd, rel(p), &how)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue // a rename raced the lookup: RESOLVE_IN_ROOT asks to retry
		}
		if err != nil {
			return -1, &pathError{op: "open", path: p, err: err}
		}
		return fd, nil
	}
}

// parent opens the directory holding p (resolved inside the root) and
// returns it with p's last element.
func (r *Root) parent(p string) (int, string, error) {
	clean := path.Clean("/" + p)
	dir, base := path.Split(clean)
	if base == "" {
		base = "."
	}
	fd, err := r.open(dir, unix.O_PATH|unix.O_DIRECTORY, 0)
	return fd, base, err
}

// Info is what a copy needs to know of a path.
type Info struct {
	Exists bool
	IsDir  bool
}

// Stat reports on p, following symlinks inside the root.
func (r *Root) Stat(p string) (Info, error) {
	fd, err := r.open(p, unix.O_PATH, 0)
	if err != nil {
		if isNotExist(err) {
			return Info{}, nil
		}
		return Info{}, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return Info{}, &pathError{op: "stat", path: p, err: err}
	}
	return Info{Exists: true, IsDir: st.Mode&unix.S_IFMT == unix.S_IFDIR}, nil
}

type pathError struct {
	op, path string
	err      error
}

func (e *pathError) Error() string { return e.op + " " + e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

func isNotExist(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR)
}

// Resolve follows every symlink of p inside the root, as the kernel
// would with the root as "/", and returns the path it leads to (what
// does not exist is kept as given). It names a destination as Docker
// does; the copy then opens it with the kernel's own resolution again,
// so a link changed in between still leads inside the root.
func (r *Root) Resolve(p string) (string, error) {
	rest := strings.Split(rel(p), "/")
	done := "/"
	for links := 0; len(rest) > 0; {
		elem := rest[0]
		rest = rest[1:]
		if elem == "." || elem == "" {
			continue
		}
		if elem == ".." { // up from what is resolved so far, never above "/"
			done = path.Dir(done)
			continue
		}
		next := path.Join(done, elem)
		pfd, base, err := r.parent(next)
		if err != nil {
			if isNotExist(err) {
				return path.Join(append([]string{next}, rest...)...), nil
			}
			return "", err
		}
		var st unix.Stat_t
		err = unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err != nil || st.Mode&unix.S_IFMT != unix.S_IFLNK {
			unix.Close(pfd)
			done = next
			if err != nil {
				return path.Join(append([]string{next}, rest...)...), nil
			}
			continue
		}
		buf := make([]byte, unix.PathMax)
		n, err := unix.Readlinkat(pfd, base, buf)
		unix.Close(pfd)
		if err != nil {
			return "", &pathError{op: "readlink", path: next, err: err}
		}
		if links++; links > 255 {
			return "", &pathError{op: "resolve", path: p, err: unix.ELOOP}
		}
		target := string(buf[:n])
		if strings.HasPrefix(target, "/") {
			done = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return done, nil
}
