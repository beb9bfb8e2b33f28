// Package archive applies layer tars to directories. A layer tar is hostile
// input: every path is resolved inside the layer's directory, links may not
// lead out of it, sizes are limited, and a layer that fails half-way is
// removed whole, so a directory that exists is a directory that is complete.
//
// Nothing is done through a path string that the kernel could resolve
// outside the layer. The layer's directory is held open, each entry's
// parent is opened beneath it with openat2(RESOLVE_IN_ROOT) (symlinks among
// the parents are followed as if the layer were /), and every operation on
// the entry itself is relative to that descriptor and does not follow a
// symlink in the last component: mkdirat, openat(O_NOFOLLOW), symlinkat,
// linkat, mknodat, fchownat, fchmodat2, utimensat, unlinkat. Directory times
// are set last (creating entries changes them), after looking the directory
// up again the same way and checking it is still the one created.
//
// Layers are unpacked one per directory and stacked by overlayfs, so the
// OCI whiteouts are converted to overlayfs' own form as they are met:
// `.wh.NAME` becomes a 0/0 character device NAME, and `.wh..wh..opq` the
// xattr trusted.overlay.opaque=y on its directory.
package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unsafe"

	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// Whiteout names of the OCI image spec (inherited from AUFS).
const (
	WhiteoutPrefix = ".wh."
	WhiteoutOpaque = ".wh..wh..opq"
	// whiteoutMeta prefixes AUFS bookkeeping entries (.wh..wh.plnk, ...), skipped.
	whiteoutMeta = ".wh..wh."
)

// OverlayOpaqueXattr marks a directory opaque for overlayfs.
const OverlayOpaqueXattr = "trusted.overlay.opaque"

// Default limits: far above any sane image, low enough to stop a tar that
// would fill the disk or exhaust inodes.
const (
	DefaultMaxBytes   int64 = 64 << 30
	DefaultMaxEntries       = 4 << 20
)

// Options tune Apply. The zero value is the safe default.
type Options struct {
	// AllowDevices lets character and block device nodes through (Docker
	// does). Without it a device node is an error. FIFOs are always allowed.
	AllowDevices bool
	// MaxBytes limits the sum of regular files' sizes (DefaultMaxBytes when 0).
	MaxBytes int64
	// MaxEntries limits the number of entries (DefaultMaxEntries when 0).
	MaxEntries int
}

// Stats describe an applied layer.
type Stats struct {
	Entries int
	Bytes   int64 // sum of regular files' sizes
}

// Apply unpacks the uncompressed tar stream r into dir, which must not
// exist yet (its parent must). It reads r to its end, so a digest-verifying
// reader sees all of it. On any error dir is removed.
func Apply(r io.Reader, dir string, opts Options) (Stats, error) {
	if opts.MaxBytes == 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxEntries == 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return Stats{}, fmt.Errorf("layer directory: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		os.Remove(dir)
		return Stats{}, err
	}
	root, err := os.OpenFile(abs, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		os.Remove(dir)
		return Stats{}, fmt.Errorf("layer directory: %w", err)
	}
	a := &applier{root: root, rootFD: int(root.Fd()), opts: opts, asRoot: os.Geteuid() == 0, cachedFD: -1}
	a.space = newSpaceGuard(a.rootFD)
	st, err := a.apply(r)
	a.dropCache()
	root.Close()
	if err != nil {
		os.RemoveAll(dir)
		return Stats{}, err
	}
	return st, nil
}

type applier struct {
	root   *os.File
	rootFD int
	opts   Options
	asRoot bool
	stats  Stats
	space  *spaceGuard
	buf    []byte     // file data passes through it
	dirs   []dirTimes // set last: creating entries changes a directory's mtime

	// The last parent opened, kept for the next entries of the same
	// directory (tars list a directory's files together). Any removal
	// drops it, since it may change what the path resolves to.
	cachedRel string
	cachedFD  int
}

// dirTimes remembers a directory by the path it was met at and by its
// identity, so that only the very directory created gets the times.
type dirTimes struct {
	rel          string
	dev, ino     uint64
	atime, mtime time.Time
}

func (a *applier) apply(r io.Reader) (Stats, error) {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return a.stats, fmt.Errorf("reading layer tar: %w", err)
		}
		a.stats.Entries++
		if a.stats.Entries > a.opts.MaxEntries {
			return a.stats, fmt.Errorf("layer has more than %d entries", a.opts.MaxEntries)
		}
		if err := a.entry(tr, hdr); err != nil {
			return a.stats, fmt.Errorf("layer entry %q: %w", hdr.Name, err)
		}
	}
	// Drain what follows the end-of-archive blocks so that a verifying
	// reader below reaches EOF and checks its digest.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return a.stats, fmt.Errorf("reading layer: %w", err)
	}
	a.dropCache()
	// In tar order, so that of two entries for one directory the later wins
	// (setting a directory's times does not change its parent's).
	for _, d := range a.dirs {
		if err := a.setDirTimes(d); err != nil {
			return a.stats, err
		}
	}
	return a.stats, nil
}

// ErrEscape is returned for names and links that would leave the layer.
var ErrEscape = errors.New("path escapes the layer directory")

// relPath makes a tar name relative to the root: a leading / is dropped
// (like Docker), a `..` that climbs above the root is refused.
func relPath(name string) (string, error) {
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("NUL in path")
	}
	p := filepath.Clean(strings.TrimLeft(filepath.ToSlash(name), "/"))
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", ErrEscape
	}
	return p, nil
}

// inRoot is how every path of the layer is looked up: symlinks are
// resolved as if the layer's directory were /, and never through /proc's
// magic links or onto another filesystem.
const inRoot = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV

// openInRoot opens the directory rel beneath the root (O_PATH).
func (a *applier) openInRoot(rel string) (int, error) {
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: inRoot}
	for range 16 {
		fd, err := unix.Openat2(a.rootFD, rel, how)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue // a concurrent rename somewhere on the host; try again
		}
		return fd, err
	}
	return -1, unix.EAGAIN
}

// parentFD returns a descriptor of the directory, inside the root, that
// holds rel's last component, creating missing directories. The caller does
// not close it: it is the root's or the cached one.
func (a *applier) parentFD(rel string) (int, error) {
	d := filepath.Dir(rel)
	if d == "." {
		return a.rootFD, nil
	}
	if a.cachedFD >= 0 && a.cachedRel == d {
		return a.cachedFD, nil
	}
	fd, err := a.openInRoot(d)
	if err == unix.ENOENT {
		// Create what is missing, each directory made beneath its parent's
		// descriptor and symlinks resolved inside the root.
		// A dangling symlink among them is followed too, as it would be
		// inside the container, by resolving the path lexically first
		// (pathrs refuses to create through one).
		var f *os.File
		resolved, jerr := securejoin.SecureJoin(a.root.Name(), d)
		if jerr != nil {
			return -1, fmt.Errorf("parent %s: %w", d, jerr)
		}
		resolved, _ = filepath.Rel(a.root.Name(), resolved)
		f, err = pathrs.MkdirAllHandle(a.root, resolved, 0o755)
		if err == nil {
			fd, err = unix.Dup(int(f.Fd()))
			f.Close()
		}
	}
	if err != nil {
		if errors.Is(err, unix.ENOTDIR) {
			return -1, fmt.Errorf("parent %s is not a directory", d)
		}
		if errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ELOOP) {
			return -1, fmt.Errorf("parent %s: %w", d, ErrEscape)
		}
		return -1, fmt.Errorf("parent %s: %w", d, err)
	}
	a.dropCache()
	a.cachedRel, a.cachedFD = d, fd
	return fd, nil
}

func (a *applier) dropCache() {
	if a.cachedFD >= 0 {
		unix.Close(a.cachedFD)
	}
	a.cachedRel, a.cachedFD = "", -1
}

func (a *applier) entry(tr *tar.Reader, hdr *tar.Header) error {
	rel, err := checkHeader(hdr, a.opts)
	if err != nil {
		return err
	}
	if rel == "." {
		return a.meta(a.rootFD, ".", rel, hdr)
	}
	base := filepath.Base(rel)
	if strings.HasPrefix(base, WhiteoutPrefix) {
		return a.whiteout(rel, base)
	}
	parent, err := a.parentFD(rel)
	if err != nil {
		return err
	}

	switch hdr.Typeflag {
	case tar.TypeDir:
		var st unix.Stat_t
		err := unix.Fstatat(parent, base, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR {
			return a.meta(parent, base, rel, hdr)
		}
		if parent, err = a.replace(rel, parent, base); err != nil {
			return err
		}
		if err := unix.Mkdirat(parent, base, 0o700); err != nil {
			return fmt.Errorf("mkdir: %w", err)
		}
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse: // Go reads sparse entries as their logical contents
		if hdr.Size < 0 || hdr.Size > a.opts.MaxBytes-a.stats.Bytes {
			return fmt.Errorf("file of %d bytes exceeds the layer limit of %d bytes", hdr.Size, a.opts.MaxBytes)
		}
		a.stats.Bytes += hdr.Size
		// Created with O_EXCL first: a name met again (rare) is cleared
		// and created again, so the common case costs no lookup before.
		f, err := createFile(parent, base)
		if errors.Is(err, unix.EEXIST) {
			if parent, err = a.replace(rel, parent, base); err != nil {
				return err
			}
			f, err = createFile(parent, base)
		}
		if err != nil {
			return fmt.Errorf("create: %w", err)
		}
		// Data and metadata through the open descriptor: no path again.
		err = a.writeFile(f, tr, hdr.Size)
		if err == nil {
			err = a.metaFile(f, hdr)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	case tar.TypeSymlink:
		// The link's text is interpreted inside the container; it is never
		// followed while unpacking, since parents are resolved in the root.
		if parent, err = a.replace(rel, parent, base); err != nil {
			return err
		}
		if err := unix.Symlinkat(hdr.Linkname, parent, base); err != nil {
			return fmt.Errorf("symlink: %w", err)
		}
	case tar.TypeLink:
		srcFD, srcBase, err := a.linkTarget(hdr.Linkname)
		if err != nil {
			return err
		}
		defer unix.Close(srcFD)
		same, err := sameEntry(srcFD, srcBase, parent, base)
		if err != nil || same {
			return err
		}
		if parent, err = a.replace(rel, parent, base); err != nil {
			return err
		}
		if parent, err = a.parentFD(rel); err != nil {
			return err
		}
		// linkat without AT_SYMLINK_FOLLOW: a link to a symlink links the symlink.
		if err := unix.Linkat(srcFD, srcBase, parent, base, 0); err != nil {
			return fmt.Errorf("link: %w", err)
		}
		return nil // a hard link shares its target's metadata
	case tar.TypeChar, tar.TypeBlock:
		if !a.opts.AllowDevices {
			return fmt.Errorf("device node refused (devices not allowed in layers)")
		}
		fallthrough
	case tar.TypeFifo:
		if parent, err = a.replace(rel, parent, base); err != nil {
			return err
		}
		mode := uint32(hdr.Mode & 0o7777)
		switch hdr.Typeflag {
		case tar.TypeChar:
			mode |= unix.S_IFCHR
		case tar.TypeBlock:
			mode |= unix.S_IFBLK
		default:
			mode |= unix.S_IFIFO
		}
		dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
		if err := unix.Mknodat(parent, base, mode, int(dev)); err != nil {
			return fmt.Errorf("mknod: %w", err)
		}
	case tar.TypeXGlobalHeader:
		return nil
	default:
		return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
	}
	return a.meta(parent, base, rel, hdr)
}

// sameEntry reports whether two names are one inode (a hard link to itself).
func sameEntry(dfd1 int, n1 string, dfd2 int, n2 string) (bool, error) {
	var s1, s2 unix.Stat_t
	if err := unix.Fstatat(dfd1, n1, &s1, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return false, err
	}
	if err := unix.Fstatat(dfd2, n2, &s2, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if err == unix.ENOENT {
			return false, nil
		}
		return false, err
	}
	return s1.Dev == s2.Dev && s1.Ino == s2.Ino, nil
}

// linkTarget resolves a hard link's target, which must already be in this
// layer. It returns a descriptor of the target's directory (the caller
// closes it) and the target's name in it.
func (a *applier) linkTarget(name string) (int, string, error) {
	rel, err := relPath(name)
	if err != nil {
		return -1, "", fmt.Errorf("hard link target %q: %w", name, err)
	}
	if rel == "." {
		return -1, "", fmt.Errorf("hard link to the layer root")
	}
	fd, err := a.openInRoot(filepath.Dir(rel))
	if err != nil {
		if errors.Is(err, unix.EXDEV) || errors.Is(err, unix.ELOOP) {
			return -1, "", fmt.Errorf("hard link target %q: %w", name, ErrEscape)
		}
		return -1, "", fmt.Errorf("hard link target %q is not in the layer", name)
	}
	base := filepath.Base(rel)
	var st unix.Stat_t
	if err := unix.Fstatat(fd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		unix.Close(fd)
		return -1, "", fmt.Errorf("hard link target %q is not in the layer", name)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		unix.Close(fd)
		return -1, "", fmt.Errorf("hard link target %q is a directory", name)
	}
	return fd, base, nil
}

// whiteout converts an OCI whiteout into overlayfs' form.
func (a *applier) whiteout(rel, base string) error {
	if base == WhiteoutOpaque {
		parent, err := a.parentFD(rel)
		if err != nil {
			return err
		}
		if err := unix.Setxattr(procPath(parent, ""), OverlayOpaqueXattr, []byte("y"), 0); err != nil {
			return fmt.Errorf("marking %s opaque: %w", filepath.Dir(rel), err)
		}
		return nil
	}
	if strings.HasPrefix(base, whiteoutMeta) {
		return nil
	}
	name := strings.TrimPrefix(base, WhiteoutPrefix)
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return fmt.Errorf("invalid whiteout name: %w", ErrEscape)
	}
	parent, err := a.parentFD(rel)
	if err != nil {
		return err
	}
	if parent, err = a.replace(rel, parent, name); err != nil {
		return err
	}
	if err := unix.Mknodat(parent, name, unix.S_IFCHR, 0); err != nil {
		return fmt.Errorf("whiteout %s: %w", name, err)
	}
	return nil
}

// procPath names an entry through the descriptor of its directory. The
// kernel jumps to exactly that directory, so the path cannot be redirected;
// the L* calls given it do not follow a symlink in name. It is used only
// for the calls that have no *at form (xattrs).
func procPath(dirFD int, name string) string {
	p := "/proc/self/fd/" + strconv.Itoa(dirFD)
	if name != "" && name != "." {
		p += "/" + name
	}
	return p
}

// replace clears the way for rel's new entry name beneath parent and
// returns the parent's descriptor, which the removal may have closed.
func (a *applier) replace(rel string, parent int, name string) (int, error) {
	if err := a.removeExisting(parent, name); err != nil {
		return -1, err
	}
	return a.parentFD(rel)
}

// removeExisting clears the way for a new entry: a later entry replaces an
// earlier one of the same name. A directory goes with all it holds.
func (a *applier) removeExisting(dirFD int, name string) error {
	var st unix.Stat_t
	err := unix.Fstatat(dirFD, name, &st, unix.AT_SYMLINK_NOFOLLOW)
	if err == unix.ENOENT {
		return nil
	}
	if err != nil {
		return fmt.Errorf("replacing %s: %w", name, err)
	}
	// Keep the directory open across a.dropCache, which may close dirFD.
	fd, err := unix.Dup(dirFD)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	a.dropCache()
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		err = removeAllAt(fd, name)
	} else {
		err = unix.Unlinkat(fd, name, 0)
	}
	if err != nil {
		return fmt.Errorf("replacing %s: %w", name, err)
	}
	return nil
}

// removeAllAt removes the directory name beneath dirFD and all it holds,
// never following a symlink.
func removeAllAt(dirFD int, name string) error {
	fd, err := unix.Openat(dirFD, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	d := os.NewFile(uintptr(fd), name)
	names, err := d.Readdirnames(-1)
	if err != nil {
		d.Close()
		return err
	}
	for _, n := range names {
		var st unix.Stat_t
		err := unix.Fstatat(fd, n, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err == nil {
			if st.Mode&unix.S_IFMT == unix.S_IFDIR {
				err = removeAllAt(fd, n)
			} else {
				err = unix.Unlinkat(fd, n, 0)
			}
		}
		if err != nil {
			d.Close()
			return err
		}
	}
	d.Close()
	return unix.Unlinkat(dirFD, name, unix.AT_REMOVEDIR)
}

// meta applies owner, mode, xattrs and times to name beneath dirFD. Owner
// first: chown clears setuid bits and file capabilities, which come after it.
func (a *applier) meta(dirFD int, name, rel string, hdr *tar.Header) error {
	if a.asRoot {
		if err := unix.Fchownat(dirFD, name, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	if hdr.Typeflag != tar.TypeSymlink {
		if err := chmodNoFollow(dirFD, name, uint32(hdr.Mode&0o7777)); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	for k, v := range hdr.PAXRecords {
		xname, ok := strings.CutPrefix(k, "SCHILY.xattr.")
		if !ok {
			continue
		}
		if strings.HasPrefix(xname, "trusted.overlay.") {
			continue // only whiteouts, converted above, may speak to overlayfs
		}
		if err := unix.Lsetxattr(procPath(dirFD, name), xname, []byte(v), 0); err != nil {
			if errors.Is(err, unix.ENOTSUP) && xname != "security.capability" {
				continue // e.g. a foreign LSM's label on a filesystem without it
			}
			if hdr.Typeflag == tar.TypeSymlink && errors.Is(err, unix.EPERM) {
				continue // Linux refuses user.* xattrs on symlinks
			}
			return fmt.Errorf("xattr %s: %w", xname, err)
		}
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	if hdr.ModTime.IsZero() {
		return nil
	}
	if hdr.Typeflag == tar.TypeDir {
		var st unix.Stat_t
		if err := unix.Fstatat(dirFD, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
		a.dirs = append(a.dirs, dirTimes{rel: rel, dev: st.Dev, ino: st.Ino, atime: atime, mtime: hdr.ModTime})
		return nil
	}
	return setTimes(dirFD, name, atime, hdr.ModTime)
}

// metaFile is meta for a regular file the applier holds open: owner,
// mode, xattrs and times through the descriptor, in meta's order.
func (a *applier) metaFile(f *os.File, hdr *tar.Header) error {
	fd := int(f.Fd())
	if a.asRoot {
		if err := unix.Fchown(fd, hdr.Uid, hdr.Gid); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	if err := unix.Fchmod(fd, uint32(hdr.Mode&0o7777)); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	for k, v := range hdr.PAXRecords {
		xname, ok := strings.CutPrefix(k, "SCHILY.xattr.")
		if !ok || strings.HasPrefix(xname, "trusted.overlay.") {
			continue
		}
		if err := unix.Fsetxattr(fd, xname, []byte(v), 0); err != nil {
			if errors.Is(err, unix.ENOTSUP) && xname != "security.capability" {
				continue
			}
			return fmt.Errorf("xattr %s: %w", xname, err)
		}
	}
	if hdr.ModTime.IsZero() {
		return nil
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	// utimensat(fd, NULL, ...) sets the times of fd itself.
	ts := [2]unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(hdr.ModTime.UnixNano())}
	if _, _, errno := unix.Syscall6(unix.SYS_UTIMENSAT, uintptr(fd), 0, uintptr(unsafe.Pointer(&ts[0])), 0, 0, 0); errno != 0 {
		return fmt.Errorf("times of %s: %w", f.Name(), errno)
	}
	return nil
}

// chmodNoFollow changes a mode without following a symlink in name:
// fchmodat2 where the kernel has it (6.6), else a check that name is not a
// symlink just before a plain fchmodat (nothing else writes the layer).
func chmodNoFollow(dirFD int, name string, mode uint32) error {
	err := unix.Fchmodat(dirFD, name, mode, unix.AT_SYMLINK_NOFOLLOW)
	if err != unix.EOPNOTSUPP && err != unix.ENOSYS {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dirFD, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil
	}
	return unix.Fchmodat(dirFD, name, mode, 0)
}

// setDirTimes sets a directory's times if the directory created is still
// at its path; one replaced or removed by a later entry is skipped, so no
// entry's times land anywhere else.
func (a *applier) setDirTimes(d dirTimes) error {
	if d.rel == "." {
		return setTimes(a.rootFD, ".", d.atime, d.mtime)
	}
	parent, err := a.openInRoot(filepath.Dir(d.rel))
	if err != nil {
		return nil // its parent is gone or is no longer a directory
	}
	defer unix.Close(parent)
	base := filepath.Base(d.rel)
	var st unix.Stat_t
	if err := unix.Fstatat(parent, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil ||
		st.Dev != d.dev || st.Ino != d.ino {
		return nil
	}
	return setTimes(parent, base, d.atime, d.mtime)
}

func setTimes(dirFD int, name string, atime, mtime time.Time) error {
	if mtime.IsZero() {
		return nil
	}
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(dirFD, name, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("times of %s: %w", name, err)
	}
	return nil
}
