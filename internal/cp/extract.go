package cp

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// ExtractOptions say who owns what Extract makes.
type ExtractOptions struct {
	// KeepOwners gives each entry the owner the archive records
	// (`docker cp -a`); else, with SetOwner, UID and GID own everything
	// (the container's root, as Docker's copies into a container);
	// else the caller does.
	KeepOwners bool
	SetOwner   bool
	UID, GID   int
	// ApplyToDir gives the destination directory itself the owner and
	// mode of the archive's "." entry.
	ApplyToDir bool
	// IDs maps the owners above from the container's view to the host's.
	IDs *IDMap
}

// Extract unpacks a tar stream into the directory dir, resolved inside
// root. Every entry's directory is resolved inside root too, so an entry
// under a symlink (the archive's own or one already there) lands inside
// root. An existing file is replaced; an existing directory is kept and
// takes the entry's mode; a directory is never replaced by a file.
// Modes are written exactly (the umask is cleared meanwhile).
func Extract(r *Root, dir string, rd io.Reader, o ExtractOptions) error {
	old := unix.Umask(0)
	defer unix.Umask(old)
	type dirTime struct {
		name string
		ts   []unix.Timespec
	}
	var dirs []dirTime
	tr := tar.NewReader(rd)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read archive: %w", err)
		}
		name := rel(hdr.Name)
		if name == "." {
			if o.ApplyToDir && hdr.Typeflag == tar.TypeDir {
				if err := applyToDir(r, dir, hdr, o); err != nil {
					return err
				}
			}
			continue // the destination itself
		}
		full := path.Join("/", dir, name)
		if err := extractOne(r, dir, full, hdr, tr, o); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeDir {
			dirs = append(dirs, dirTime{full, times(hdr)})
		}
	}
	// A directory's time is set once what is in it is written.
	for i := len(dirs) - 1; i >= 0; i-- {
		pfd, base, err := r.parent(dirs[i].name)
		if err != nil {
			return err
		}
		unix.UtimesNanoAt(pfd, base, dirs[i].ts, unix.AT_SYMLINK_NOFOLLOW)
		unix.Close(pfd)
	}
	return nil
}

func applyToDir(r *Root, dir string, hdr *tar.Header, o ExtractOptions) error {
	fd, err := r.open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return ownAndMode(fd, dir, o.KeepOwners, hdr.Uid, hdr.Gid, uint32(hdr.Mode&0o7777))
}

func times(hdr *tar.Header) []unix.Timespec {
	ts := unix.NsecToTimespec(hdr.ModTime.UnixNano())
	return []unix.Timespec{ts, ts}
}

func extractOne(r *Root, dir, full string, hdr *tar.Header, body io.Reader, o ExtractOptions) error {
	pfd, base, err := r.parent(full)
	if err != nil {
		return err
	}
	defer unix.Close(pfd)
	mode := uint32(hdr.Mode & 0o7777)
	var st unix.Stat_t
	exists := unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW) == nil
	isDir := exists && st.Mode&unix.S_IFMT == unix.S_IFDIR
	switch {
	case isDir && hdr.Typeflag != tar.TypeDir:
		return fmt.Errorf("cannot overwrite directory %s with non-directory", full)
	case exists && !isDir:
		if err := unix.Unlinkat(pfd, base, 0); err != nil {
			return &pathError{op: "replace", path: full, err: err}
		}
	}
	uid, gid, chown := hdr.Uid, hdr.Gid, o.KeepOwners
	if !o.KeepOwners && o.SetOwner {
		uid, gid, chown = o.UID, o.GID, true
	}
	uid, gid = o.IDs.ToHost(uid, gid)
	switch hdr.Typeflag {
	case tar.TypeDir:
		if !isDir {
			if err := unix.Mkdirat(pfd, base, mode); err != nil {
				return &pathError{op: "mkdir", path: full, err: err}
			}
		}
		fd, err := unix.Openat(pfd, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return &pathError{op: "open", path: full, err: err}
		}
		defer unix.Close(fd)
		return ownAndMode(fd, full, chown, uid, gid, mode)
	case tar.TypeReg, tar.TypeRegA:
		fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return &pathError{op: "create", path: full, err: err}
		}
		f := os.NewFile(uintptr(fd), full)
		defer f.Close()
		if _, err := io.Copy(f, body); err != nil {
			return fmt.Errorf("write %s: %w", full, err)
		}
		if err := ownAndMode(fd, full, chown, uid, gid, mode); err != nil {
			return err
		}
		return unix.UtimesNanoAt(pfd, base, times(hdr), unix.AT_SYMLINK_NOFOLLOW)
	case tar.TypeSymlink:
		if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
			return &pathError{op: "symlink", path: full, err: err}
		}
	case tar.TypeLink:
		// The link's target is an earlier entry, resolved inside the
		// root as every other path.
		target := path.Join("/", dir, rel(hdr.Linkname))
		tfd, tbase, err := r.parent(target)
		if err != nil {
			return err
		}
		defer unix.Close(tfd)
		if err := unix.Linkat(tfd, tbase, pfd, base, 0); err != nil {
			return &pathError{op: "link", path: full, err: err}
		}
		return nil
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		kind := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		if err := unix.Mknodat(pfd, base, kind|mode, int(dev)); err != nil {
			return &pathError{op: "mknod", path: full, err: err}
		}
	default:
		return nil // extended headers and the like: nothing to make
	}
	if chown {
		if err := unix.Fchownat(pfd, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return &pathError{op: "chown", path: full, err: err}
		}
	}
	unix.UtimesNanoAt(pfd, base, times(hdr), unix.AT_SYMLINK_NOFOLLOW)
	return nil
}

// ownAndMode sets an open file's owner, then its mode (chown clears the
// set-user-ID bit).
func ownAndMode(fd int, what string, chown bool, uid, gid int, mode uint32) error {
	if chown {
		if err := unix.Fchown(fd, uid, gid); err != nil {
			return &pathError{op: "chown", path: what, err: err}
		}
	}
	if err := unix.Fchmod(fd, mode); err != nil {
		return &pathError{op: "chmod", path: what, err: err}
	}
	return nil
}
