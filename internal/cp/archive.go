package cp

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"time"

	"golang.org/x/sys/unix"
)

// ArchiveOptions say how a source becomes a tar stream.
type ArchiveOptions struct {
	// Name is the source's name in the archive; "" writes a directory's
	// contents only (Docker's SRC/.).
	Name string
	// FollowSource copies what a symlink given as the source names
	// (inside the root) rather than the link. Symlinks below the source
	// are always copied as links.
	FollowSource bool
	// IDs maps the files' owners to the ids the container sees.
	IDs *IDMap
}

// Archive writes src, resolved inside root, to w as a tar stream.
func Archive(r *Root, src string, w io.Writer, o ArchiveOptions) error {
	tw := tar.NewWriter(w)
	a := &archiver{tw: tw, links: map[[2]uint64]string{}, ids: o.IDs}
	var err error
	if o.FollowSource {
		var fd int
		if fd, err = r.open(src, unix.O_PATH, 0); err == nil {
			err = a.add(fd, "", o.Name, src)
			unix.Close(fd)
		}
	} else {
		var pfd int
		var base string
		if pfd, base, err = r.parent(src); err == nil {
			err = a.add(pfd, base, o.Name, src)
			unix.Close(pfd)
		}
	}
	if err != nil {
		return err
	}
	return tw.Close()
}

type archiver struct {
	ids   *IDMap
	tw    *tar.Writer
	links map[[2]uint64]string // (dev, inode) of files with several links -> first name
}

// add writes the entry base of directory dirfd ("" for dirfd itself) as
// name, and a directory's entries below it. what names it in errors.
func (a *archiver) add(dirfd int, base, name, what string) error {
	var st unix.Stat_t
	flags := unix.AT_SYMLINK_NOFOLLOW
	if base == "" {
		flags |= unix.AT_EMPTY_PATH
	}
	if err := unix.Fstatat(dirfd, base, &st, flags); err != nil {
		return &pathError{op: "stat", path: what, err: err}
	}
	hdr := &tar.Header{
		Name: name, Mode: int64(st.Mode & 0o7777), Uid: int(st.Uid), Gid: int(st.Gid),
		ModTime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec), Format: tar.FormatPAX,
	}
	hdr.Uid, hdr.Gid = a.ids.ToContainer(hdr.Uid, hdr.Gid)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return a.addDir(dirfd, base, name, what, hdr)
	case unix.S_IFREG:
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := a.links[key]; ok && st.Nlink > 1 && name != "" {
			hdr.Typeflag, hdr.Linkname = tar.TypeLink, first
			return a.tw.WriteHeader(hdr)
		}
		if st.Nlink > 1 {
			a.links[key] = name
		}
		return a.addFile(dirfd, base, what, hdr)
	case unix.S_IFLNK:
		buf := make([]byte, unix.PathMax)
		n, err := unix.Readlinkat(dirfd, base, buf)
		if err != nil {
			return &pathError{op: "readlink", path: what, err: err}
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, string(buf[:n])
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	default:
		return nil // sockets are not copied, as in Docker
	}
	if name == "" {
		return fmt.Errorf("%s: not a directory", what)
	}
	return a.tw.WriteHeader(hdr)
}

func (a *archiver) addDir(dirfd int, base, name, what string, hdr *tar.Header) error {
	if base == "" {
		base = "."
	}
	fd, err := unix.Openat(dirfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &pathError{op: "open", path: what, err: err}
	}
	dir := os.NewFile(uintptr(fd), what)
	defer dir.Close()
	if name != "" {
		hdr.Typeflag, hdr.Name = tar.TypeDir, name+"/"
		if err := a.tw.WriteHeader(hdr); err != nil {
			return err
		}
	}
	entries, err := dir.Readdirnames(-1)
	if err != nil {
		return &pathError{op: "read directory", path: what, err: err}
	}
	for _, e := range entries {
		if err := a.add(fd, e, path.Join(name, e), path.Join(what, e)); err != nil {
			return err
		}
	}
	return nil
}

func (a *archiver) addFile(dirfd int, base, what string, hdr *tar.Header) error {
	flags := unix.O_RDONLY | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC
	if base == "" {
		// An O_PATH descriptor of the file itself: reopen it for reading.
		base = fmt.Sprintf("/proc/self/fd/%d", dirfd)
		flags &^= unix.O_NOFOLLOW
	}
	fd, err := unix.Openat(dirfd, base, flags, 0)
	if err != nil {
		return &pathError{op: "open", path: what, err: err}
	}
	f := os.NewFile(uintptr(fd), what)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%s changed while it was copied", what)
	}
	if hdr.Name == "" {
		return fmt.Errorf("%s: not a directory", what)
	}
	hdr.Typeflag, hdr.Size = tar.TypeReg, st.Size
	if err := a.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := io.CopyN(a.tw, f, st.Size); err != nil {
		return fmt.Errorf("copy %s: %w", what, err)
	}
	return nil
}
