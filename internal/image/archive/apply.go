// Package archive applies layer tars to directories. A layer tar is hostile
// input: every path is resolved inside the layer's directory, links may not
// lead out of it, sizes are limited, and a layer that fails half-way is
// removed whole, so a directory that exists is a directory that is complete.
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
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
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
		return Stats{}, err
	}
	a := &applier{root: abs, opts: opts, asRoot: os.Geteuid() == 0}
	st, err := a.apply(r)
	if err != nil {
		os.RemoveAll(dir)
		return Stats{}, err
	}
	return st, nil
}

type applier struct {
	root   string
	opts   Options
	asRoot bool
	stats  Stats
	dirs   []dirTimes // set last: creating entries changes a directory's mtime
}

type dirTimes struct {
	path         string
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
	for i := len(a.dirs) - 1; i >= 0; i-- {
		d := a.dirs[i]
		if err := setTimes(d.path, d.atime, d.mtime); err != nil {
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

// resolveParent returns the real directory, inside the root, that holds
// rel's last component, creating missing directories. Symlinks among the
// parents are followed as if the root were /, so none leads out.
func (a *applier) resolveParent(rel string) (string, error) {
	parent, err := securejoin.SecureJoin(a.root, filepath.Dir(rel))
	if err != nil {
		return "", err
	}
	if !within(a.root, parent) {
		return "", ErrEscape
	}
	fi, err := os.Lstat(parent)
	switch {
	case os.IsNotExist(err):
		// Nothing below the first missing component exists, so MkdirAll
		// creates plain directories and follows no link.
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return "", err
		}
	case err != nil:
		return "", err
	case !fi.IsDir():
		return "", fmt.Errorf("parent %s is not a directory", filepath.Dir(rel))
	}
	return parent, nil
}

func within(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

func (a *applier) entry(tr *tar.Reader, hdr *tar.Header) error {
	rel, err := relPath(hdr.Name)
	if err != nil {
		return err
	}
	if rel == "." {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("the layer root must be a directory")
		}
		return a.meta(a.root, hdr)
	}
	base := filepath.Base(rel)
	if strings.HasPrefix(base, WhiteoutPrefix) {
		return a.whiteout(rel, base)
	}
	parent, err := a.resolveParent(rel)
	if err != nil {
		return err
	}
	target := filepath.Join(parent, base)

	switch hdr.Typeflag {
	case tar.TypeDir:
		fi, err := os.Lstat(target)
		if err == nil && fi.IsDir() {
			return a.meta(target, hdr)
		}
		if err := removeExisting(target); err != nil {
			return err
		}
		if err := os.Mkdir(target, 0o700); err != nil {
			return err
		}
	case tar.TypeReg, tar.TypeRegA:
		if hdr.Size < 0 || hdr.Size > a.opts.MaxBytes-a.stats.Bytes {
			return fmt.Errorf("file of %d bytes exceeds the layer limit of %d bytes", hdr.Size, a.opts.MaxBytes)
		}
		a.stats.Bytes += hdr.Size
		if err := removeExisting(target); err != nil {
			return err
		}
		if err := writeFile(target, tr, hdr.Size); err != nil {
			return err
		}
	case tar.TypeSymlink:
		// The link's text is interpreted inside the container; it is never
		// followed while unpacking, since parents are resolved in the root.
		if err := removeExisting(target); err != nil {
			return err
		}
		if err := os.Symlink(hdr.Linkname, target); err != nil {
			return err
		}
	case tar.TypeLink:
		src, err := a.linkTarget(hdr.Linkname)
		if err != nil {
			return err
		}
		if src == target {
			return nil
		}
		if err := removeExisting(target); err != nil {
			return err
		}
		// linkat without AT_SYMLINK_FOLLOW: a link to a symlink links the symlink.
		if err := os.Link(src, target); err != nil {
			return err
		}
		return nil // a hard link shares its target's metadata
	case tar.TypeChar, tar.TypeBlock:
		if !a.opts.AllowDevices {
			return fmt.Errorf("device node refused (devices not allowed in layers)")
		}
		fallthrough
	case tar.TypeFifo:
		if err := removeExisting(target); err != nil {
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
		if err := unix.Mknod(target, mode, int(dev)); err != nil {
			return fmt.Errorf("mknod: %w", err)
		}
	case tar.TypeXGlobalHeader:
		return nil
	default:
		return fmt.Errorf("unsupported tar entry type %q", hdr.Typeflag)
	}
	return a.meta(target, hdr)
}

// linkTarget resolves a hard link's target, which must already be in this layer.
func (a *applier) linkTarget(name string) (string, error) {
	rel, err := relPath(name)
	if err != nil {
		return "", fmt.Errorf("hard link target %q: %w", name, err)
	}
	if rel == "." {
		return "", fmt.Errorf("hard link to the layer root")
	}
	parent, err := securejoin.SecureJoin(a.root, filepath.Dir(rel))
	if err != nil {
		return "", err
	}
	if !within(a.root, parent) {
		return "", fmt.Errorf("hard link target %q: %w", name, ErrEscape)
	}
	src := filepath.Join(parent, filepath.Base(rel))
	fi, err := os.Lstat(src)
	if err != nil {
		return "", fmt.Errorf("hard link target %q is not in the layer", name)
	}
	if fi.IsDir() {
		return "", fmt.Errorf("hard link target %q is a directory", name)
	}
	return src, nil
}

// whiteout converts an OCI whiteout into overlayfs' form.
func (a *applier) whiteout(rel, base string) error {
	parent, err := a.resolveParent(rel)
	if err != nil {
		return err
	}
	if base == WhiteoutOpaque {
		if err := unix.Setxattr(parent, OverlayOpaqueXattr, []byte("y"), 0); err != nil {
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
	target := filepath.Join(parent, name)
	if err := removeExisting(target); err != nil {
		return err
	}
	if err := unix.Mknod(target, unix.S_IFCHR, 0); err != nil {
		return fmt.Errorf("whiteout %s: %w", name, err)
	}
	return nil
}

// removeExisting clears the way for a new entry: a later entry replaces an
// earlier one of the same name.
func removeExisting(p string) error {
	fi, err := os.Lstat(p)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return os.RemoveAll(p)
	}
	return os.Remove(p)
}

func writeFile(p string, r io.Reader, size int64) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	n, err := io.CopyN(f, r, size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("file data (%d of %d bytes): %w", n, size, err)
	}
	return nil
}

// meta applies owner, mode, xattrs and times. Owner first: chown clears
// setuid bits and file capabilities, which come after it.
func (a *applier) meta(p string, hdr *tar.Header) error {
	if a.asRoot {
		if err := os.Lchown(p, hdr.Uid, hdr.Gid); err != nil {
			return err
		}
	}
	if hdr.Typeflag != tar.TypeSymlink {
		if err := unix.Fchmodat(unix.AT_FDCWD, p, uint32(hdr.Mode&0o7777), 0); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	for k, v := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(k, "SCHILY.xattr.")
		if !ok {
			continue
		}
		if strings.HasPrefix(name, "trusted.overlay.") {
			continue // only whiteouts, converted above, may speak to overlayfs
		}
		if err := unix.Lsetxattr(p, name, []byte(v), 0); err != nil {
			if errors.Is(err, unix.ENOTSUP) && name != "security.capability" {
				continue // e.g. a foreign LSM's label on a filesystem without it
			}
			if hdr.Typeflag == tar.TypeSymlink && errors.Is(err, unix.EPERM) {
				continue // Linux refuses user.* xattrs on symlinks
			}
			return fmt.Errorf("xattr %s: %w", name, err)
		}
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	if hdr.Typeflag == tar.TypeDir {
		a.dirs = append(a.dirs, dirTimes{p, atime, hdr.ModTime})
		return nil
	}
	return setTimes(p, atime, hdr.ModTime)
}

func setTimes(p string, atime, mtime time.Time) error {
	if mtime.IsZero() {
		return nil
	}
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("times of %s: %w", p, err)
	}
	return nil
}
