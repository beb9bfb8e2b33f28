package snapshot

import (
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/image/archive"
)

// initFiles are the mount points of the files every container gets bound
// over its image's (Docker's network files). An image without them had
// the runtime make them in the container's writable layer, at every
// start: /etc copied up through the overlay's work directory, then three
// new files, each a new inode on the host's filesystem (costly on a busy
// ext4: BENCHMARKS.md, issue #11).
var initFiles = []string{"hostname", "hosts", "resolv.conf"}

// initLayerSuffix names the init layer of a chain of layers: its top
// layer's chain ID, then this.
const initLayerSuffix = "-init"

// initLayer returns the init layer of the image whose unpacked layers
// are lower (top first, the top one's chain ID top): a read-only layer
// shared by the image's containers, between the image's layers and each
// container's own, that holds the mount points of initFiles the image
// lacks, in an /etc with the image's own owner, mode and times, as
// Docker's init layer does. It is made on first use (atomically, as a
// layer is unpacked) and is "" when the image needs none or its /etc is
// not a plain directory (left to the runtime, as before).
func (s *Snapshotter) initLayer(top v1.Hash, lower []string) (string, error) {
	if len(lower) == 0 || !validID(top.Hex) {
		return "", nil
	}
	dir := filepath.Join(s.layersDir, top.Hex+initLayerSuffix)
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	etc, hasEtc, ok := lookupDir(lower, "etc")
	if !ok {
		return "", nil // /etc is a file or a link: the runtime resolves it
	}
	var missing []string
	for _, name := range initFiles {
		if !inMerged(lower, "etc", name) {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return "", nil
	}
	tmp, err := os.MkdirTemp(s.layersDir, ".init-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	layer := filepath.Join(tmp, "layer")
	if err := os.Mkdir(layer, 0o755); err != nil {
		return "", err
	}
	etcDir := filepath.Join(layer, "etc")
	if err := os.Mkdir(etcDir, 0o755); err != nil {
		return "", err
	}
	for _, name := range missing {
		if err := os.WriteFile(filepath.Join(etcDir, name), nil, 0o644); err != nil {
			return "", err
		}
	}
	if !hasEtc {
		// None in the image, or a whiteout hides the one below: nothing
		// of the layers below must show through this one.
		if err := unix.Setxattr(etcDir, archive.OverlayOpaqueXattr, []byte("y"), 0); err != nil {
			return "", nil // left to the runtime, as before
		}
	} else {
		// The image's /etc as the container sees it: overlayfs shows a
		// directory's attributes from the topmost layer that has it.
		if err := unix.Chmod(etcDir, etc.Mode&07777); err != nil {
			return "", err
		}
		if err := unix.Lchown(etcDir, int(etc.Uid), int(etc.Gid)); err != nil {
			return "", err
		}
		ts := []unix.Timespec{etc.Atim, etc.Mtim}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, etcDir, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return "", err
		}
	}
	if err := os.Rename(layer, dir); err != nil {
		if _, serr := os.Stat(dir); serr == nil {
			return dir, nil // made meanwhile by another ward
		}
		return "", fmt.Errorf("init layer %s: %w", dir, err)
	}
	return dir, nil
}

// lookupDir finds name, a top-level entry, as the merged layers (top
// first) show it: ok is false when it is something else than a
// directory; found tells whether there is one at all.
func lookupDir(lower []string, name string) (st unix.Stat_t, found, ok bool) {
	for _, l := range lower {
		if unix.Lstat(filepath.Join(l, name), &st) != nil {
			continue
		}
		switch {
		case isWhiteout(&st):
			return st, false, true
		case st.Mode&unix.S_IFMT != unix.S_IFDIR:
			return st, false, false
		}
		return st, true, true
	}
	return st, false, true
}

// inMerged tells whether the merged layers (top first) have dir/name, dir
// a top-level directory: the first layer holding dir/name decides (a
// whiteout meaning it is gone), and a layer whose dir is a whiteout, not
// a directory, or opaque hides the layers below.
func inMerged(lower []string, dir, name string) bool {
	for _, l := range lower {
		var st unix.Stat_t
		if unix.Lstat(filepath.Join(l, dir), &st) != nil {
			continue
		}
		if isWhiteout(&st) || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return false
		}
		if unix.Lstat(filepath.Join(l, dir, name), &st) == nil {
			return !isWhiteout(&st)
		}
		buf := make([]byte, 1)
		if n, err := unix.Lgetxattr(filepath.Join(l, dir), archive.OverlayOpaqueXattr, buf); err == nil && n == 1 && buf[0] == 'y' {
			return false
		}
	}
	return false
}
