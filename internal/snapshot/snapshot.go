// Package snapshot prepares containers' root filesystems from image
// layers with overlayfs.
//
// Vocabulary and lifecycle: a layer is unpacked once, by archive.Apply,
// into LayersDir/<chain ID>, and shared by every image and container
// above it; it is never written again. Prepare gives a container its
// snapshot: SnapshotsDir/<container ID>/ with upper/ and work/ (the
// container's own writes) and rootfs/, an overlay mount of upper over the
// image's layers. Remove unmounts it and deletes the container's writes.
// Prune removes layer directories that no image needs and no snapshot uses.
//
// Both directories are made 0700: layers hold setuid binaries and device
// nodes that host users must not reach. A container in a user namespace
// (PrepareMapped) needs its root to reach its rootfs: the snapshots
// directory then becomes 0711 (passable, not listable) and the
// container's own directory is owned by its mapped root, mode 0700.
package snapshot

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/archive"
)

// LayerSource is what the snapshotter needs of an image store.
type LayerSource interface {
	// Layers lists an image's layers, base first.
	Layers(imageID string) ([]image.Layer, error)
	// OpenLayer returns a layer's uncompressed tar.
	OpenLayer(image.Layer) (io.ReadCloser, error)
}

// Snapshotter prepares and removes containers' root filesystems.
type Snapshotter struct {
	layersDir, snapshotsDir string
	src                     LayerSource
}

// New returns a snapshotter keeping layers in layersDir and containers'
// snapshots in snapshotsDir, both created 0700.
func New(layersDir, snapshotsDir string, src LayerSource) (*Snapshotter, error) {
	for _, d := range []string{layersDir, snapshotsDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("snapshot directory: %w", err)
		}
		// 0711, which PrepareMapped sets, is kept: mapped roots pass.
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm() == 0o711 && d == snapshotsDir {
			continue
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return nil, fmt.Errorf("snapshot directory: %w", err)
		}
	}
	return &Snapshotter{layersDir: layersDir, snapshotsDir: snapshotsDir, src: src}, nil
}

// validID tells whether id is safe as a directory name: what
// ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$ matches, checked without a regexp
// compiled at every start of ward.
func validID(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// snapshotRecord is written beside a snapshot, so Prune knows its layers.
type snapshotRecord struct {
	Image  string    `json:"image"`
	Layers []v1.Hash `json:"layers"` // chain IDs, base first
	// The id mappings the layers are seen through (PrepareMapped).
	UIDMappings []specs.LinuxIDMapping `json:"uidMappings,omitempty"`
	GIDMappings []specs.LinuxIDMapping `json:"gidMappings,omitempty"`
	// Scratch snapshots are mounted volatile (see PrepareScratch).
	Scratch bool `json:"scratch,omitempty"`
	// Init: the image's init layer (initlayer.go) is mounted above its
	// layers.
	Init bool `json:"init,omitempty"`
}

// Prepare unpacks the image's layers that are not unpacked yet and mounts
// the container's root filesystem; it returns the rootfs directory.
func (s *Snapshotter) Prepare(containerID, imageID string) (string, error) {
	return s.prepare(containerID, snapshotRecord{Image: imageID})
}

// PrepareScratch is Prepare for a container whose writes are thrown away
// when it exits (`ward run --rm`): its writable layer is mounted with
// overlayfs' volatile option, so the kernel never syncs it. Unmounting an
// overlay otherwise syncs its whole upper filesystem, every dirty page of
// the host's filesystem and not only the container's: 8 to 17 ms of a
// short `ward run --rm` on a busy host, for writes deleted the next
// moment. What the container writes to volumes is not affected.
func (s *Snapshotter) PrepareScratch(containerID, imageID string) (string, error) {
	return s.prepare(containerID, snapshotRecord{Image: imageID, Scratch: true})
}

// PrepareMapped is Prepare for a container in a user namespace with the
// given mappings: each layer is seen through an idmapped mount, so the
// files an image gives uid 0 belong to the container's mapped root while
// the layers stay shared, unchanged, with every other container; the
// container's own writes land in its upper directory with host ids.
func (s *Snapshotter) PrepareMapped(containerID, imageID string, uidMappings, gidMappings []specs.LinuxIDMapping) (string, error) {
	if len(uidMappings) == 0 || len(gidMappings) == 0 {
		return "", fmt.Errorf("snapshot %s: no id mapping", containerID)
	}
	// The container's root walks to its rootfs through this directory.
	if err := os.Chmod(s.snapshotsDir, 0o711); err != nil {
		return "", fmt.Errorf("snapshot directory: %w", err)
	}
	return s.prepare(containerID, snapshotRecord{Image: imageID, UIDMappings: uidMappings, GIDMappings: gidMappings})
}

// prepare makes the snapshot rec describes (its image, and its mappings
// or scratch flag); it fills in the layers.
func (s *Snapshotter) prepare(containerID string, rec snapshotRecord) (string, error) {
	if !validID(containerID) {
		return "", fmt.Errorf("snapshot: invalid container ID %q", containerID)
	}
	layers, err := s.src.Layers(rec.Image)
	if err != nil {
		return "", fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	var lower []string
	for _, l := range layers {
		dir, err := s.unpack(l)
		if err != nil {
			return "", fmt.Errorf("snapshot %s: %w", containerID, err)
		}
		lower = append([]string{dir}, lower...) // overlayfs wants the top layer first
		rec.Layers = append(rec.Layers, l.ChainID)
	}
	if len(rec.UIDMappings) == 0 && len(layers) > 0 {
		init, err := s.initLayer(layers[len(layers)-1].ChainID, lower)
		if err != nil {
			return "", fmt.Errorf("snapshot %s: %w", containerID, err)
		}
		if init != "" {
			lower = append([]string{init}, lower...)
			rec.Init = true
		}
	}
	dir := filepath.Join(s.snapshotsDir, containerID)
	if err := os.Mkdir(dir, 0o700); err != nil {
		if os.IsExist(err) {
			return "", fmt.Errorf("snapshot %s already exists", containerID)
		}
		return "", fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	rootfs, err := s.mount(dir, lower, rec)
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	return rootfs, nil
}

func (s *Snapshotter) mount(dir string, lower []string, rec snapshotRecord) (string, error) {
	upper, work, rootfs := filepath.Join(dir, "upper"), filepath.Join(dir, "work"), filepath.Join(dir, "rootfs")
	for _, d := range []string{upper, work, rootfs} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return "", err
		}
	}
	presetOverlayUUID(upper)
	data, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "snapshot.json"), data, 0o600); err != nil {
		return "", err
	}
	if len(lower) == 0 {
		// overlayfs needs a lower layer; an image without layers gets an empty one.
		empty := filepath.Join(dir, "empty")
		if err := os.Mkdir(empty, 0o755); err != nil {
			return "", err
		}
		lower = []string{empty}
	}
	if len(rec.UIDMappings) > 0 {
		if err := ownByMappedRoot(dir, upper, lower[0], rec); err != nil {
			return "", err
		}
		return rootfs, mountOverlayMapped(dir, rootfs, lower, upper, work, rec)
	}
	if err := mountOverlay(rootfs, lower, upper, work, rec.Scratch); err != nil {
		return "", err
	}
	return rootfs, nil
}

// mountOverlay mounts upper over the lower layers (top layer first) on
// rootfs.
func mountOverlay(rootfs string, lower []string, upper, work string, volatile bool) error {
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", strings.Join(lower, ":"), upper, work)
	if len(opts) >= os.Getpagesize()-len(",index=off,volatile") {
		// mount(2) takes one page of options: many layers need the new
		// mount API, which takes the lower layers one by one.
		if err := mountLayerByLayer(rootfs, lower, upper, work, volatile); err != nil {
			return fmt.Errorf("mounting overlay of %d layers on %s: %w", len(lower), rootfs, err)
		}
		return nil
	}
	// index=off as Docker: the upper dir is never reused with other lowers.
	extra := ",index=off"
	if volatile {
		extra += ",volatile"
	}
	err := unix.Mount("overlay", rootfs, "overlay", 0, opts+extra)
	if errors.Is(err, unix.EINVAL) {
		// A kernel before 5.10 (volatile) or 4.13 (index): without them.
		err = unix.Mount("overlay", rootfs, "overlay", 0, opts)
	}
	if err != nil {
		return fmt.Errorf("mounting overlay on %s: %w", rootfs, err)
	}
	return nil
}

// overlayUUIDXattr is where overlayfs (Linux 6.6 and later) keeps an
// overlay's persistent UUID, on the upper directory.
const overlayUUIDXattr = "trusted.overlay.uuid"

// presetOverlayUUID gives a new upper directory its persistent overlay
// UUID before the first mount. Without one, the kernel's default
// uuid=auto turns into uuid=on on a first mount and the container sees
// that option on its root; Docker's overlay2 mounts a container's root
// once at create and again at start, so its containers see the second
// mount, which finds the UUID and shows no option. Presetting it gives
// ward's first mount that same state. Older kernels ignore the attribute,
// and a failure costs only the option's spelling, so it is not an error.
func presetOverlayUUID(upper string) {
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return
	}
	id[6] = id[6]&0x0f | 0x40 // version 4, as the kernel's uuid_gen
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	_ = unix.Setxattr(upper, overlayUUIDXattr, id, 0)
}

// mountLayerByLayer mounts an overlay through fsopen/fsconfig (Linux 6.8
// or later for lowerdir+), free of mount(2)'s one-page limit on options.
// lower is top layer first, as in a lowerdir= list.
func mountLayerByLayer(target string, lower []string, upper, work string, volatile bool) error {
	fd, err := unix.Fsopen("overlay", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return fmt.Errorf("fsopen: %w", err)
	}
	defer unix.Close(fd)
	for _, l := range lower {
		if err := unix.FsconfigSetString(fd, "lowerdir+", l); err != nil {
			return fmt.Errorf("lowerdir+ %s (needs Linux 6.8): %w", l, err)
		}
	}
	for _, kv := range [][2]string{{"upperdir", upper}, {"workdir", work}, {"index", "off"}} {
		if err := unix.FsconfigSetString(fd, kv[0], kv[1]); err != nil {
			return fmt.Errorf("%s: %w", kv[0], err)
		}
	}
	if volatile {
		if err := unix.FsconfigSetFlag(fd, "volatile"); err != nil {
			return fmt.Errorf("volatile: %w", err)
		}
	}
	if err := unix.FsconfigCreate(fd); err != nil {
		return fmt.Errorf("creating the overlay: %w", err)
	}
	mfd, err := unix.Fsmount(fd, unix.FSMOUNT_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("fsmount: %w", err)
	}
	defer unix.Close(mfd)
	if err := unix.MoveMount(mfd, "", unix.AT_FDCWD, target, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return fmt.Errorf("move_mount: %w", err)
	}
	return nil
}

// unpack makes sure a layer is unpacked and returns its directory. It
// unpacks into a temporary directory, verifies the diff ID, and renames:
// a layer directory that exists is complete. Two processes unpacking the
// same layer both succeed; the second rename loses and cleans up.
func (s *Snapshotter) unpack(l image.Layer) (string, error) {
	dir := filepath.Join(s.layersDir, l.ChainID.Hex)
	if l.ChainID.Hex == "" || !validID(l.ChainID.Hex) {
		return "", fmt.Errorf("layer %s: invalid chain ID", l.Digest)
	}
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	tmpParent, err := os.MkdirTemp(s.layersDir, ".unpack-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmpParent)
	rc, err := s.src.OpenLayer(l)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	tmp := filepath.Join(tmpParent, "layer")
	if _, err := archive.Apply(io.TeeReader(rc, h), tmp, archive.Options{AllowDevices: true}); err != nil {
		return "", fmt.Errorf("layer %s: %w", l.Digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); l.DiffID.Algorithm == "sha256" && got != l.DiffID.String() {
		return "", fmt.Errorf("layer %s: content is %s, expected diff ID %s", l.Digest, got, l.DiffID)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(dir); serr == nil {
			return dir, nil // unpacked meanwhile by another ward
		}
		return "", fmt.Errorf("layer %s: %w", l.Digest, err)
	}
	return dir, nil
}

// Remove unmounts a container's root filesystem and deletes its snapshot.
// Removing a snapshot that does not exist is not an error.
func (s *Snapshotter) Remove(containerID string) error {
	if !validID(containerID) {
		return fmt.Errorf("snapshot: invalid container ID %q", containerID)
	}
	dir := filepath.Join(s.snapshotsDir, containerID)
	rootfs := filepath.Join(dir, "rootfs")
	for {
		mounted, err := mountinfo.Mounted(rootfs)
		if err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("snapshot %s: %w", containerID, err)
		}
		if !mounted {
			break
		}
		if err := unix.Unmount(rootfs, 0); err != nil {
			if errors.Is(err, unix.EBUSY) {
				err = unix.Unmount(rootfs, unix.MNT_DETACH)
			}
			if err != nil {
				return fmt.Errorf("snapshot %s: unmounting %s: %w", containerID, rootfs, err)
			}
		}
	}
	// The usual case, nothing else mounted below: a removal that never
	// enters another mount, without reading the mount table
	// (removetree.go). Otherwise, and on any other error, the general
	// path below.
	if removeTree(dir) == nil {
		return nil
	}
	// Whatever else is mounted below (an idmapped layer left by a ward
	// that died while it made a root) goes first: the recursive removal
	// must never reach into a shared layer.
	if err := unmountBelow(dir); err != nil {
		return fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	// A runtime still finishing a create that its killed caller started
	// may write into the upper directory (through the container's own
	// mount of it) while it goes: try again while entries keep appearing.
	var err error
	for range 20 {
		if err = os.RemoveAll(dir); err == nil || !errors.Is(err, unix.ENOTEMPTY) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	return nil
}

// unmountBelow detaches every mount under dir, deepest first, and fails
// if one is still there.
func unmountBelow(dir string) error {
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		return err
	}
	below := false
	for i := len(mounts) - 1; i >= 0; i-- {
		if mounts[i].Mountpoint == dir {
			continue
		}
		below = true
		unix.Unmount(mounts[i].Mountpoint, unix.MNT_DETACH)
	}
	if !below {
		return nil // the usual case; the mount table is read once
	}
	left, err := mountinfo.GetMounts(mountinfo.PrefixFilter(dir))
	if err != nil {
		return err
	}
	for _, m := range left {
		if m.Mountpoint != dir {
			return fmt.Errorf("%s is still mounted; not removing %s", m.Mountpoint, dir)
		}
	}
	return nil
}

// Prune removes unpacked layers that are neither in keep (the chain IDs
// that stored images still have) nor used by a snapshot.
func (s *Snapshotter) Prune(keep []v1.Hash) error {
	live := map[string]bool{}
	for _, h := range keep {
		live[h.Hex] = true
	}
	snaps, err := os.ReadDir(s.snapshotsDir)
	if err != nil {
		return err
	}
	for _, e := range snaps {
		data, err := os.ReadFile(filepath.Join(s.snapshotsDir, e.Name(), "snapshot.json"))
		if err != nil {
			continue // being prepared or removed
		}
		var rec snapshotRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return fmt.Errorf("snapshot %s: %w", e.Name(), err)
		}
		for _, h := range rec.Layers {
			live[h.Hex] = true
		}
	}
	layers, err := os.ReadDir(s.layersDir)
	if err != nil {
		return err
	}
	for _, e := range layers {
		chain := strings.TrimSuffix(e.Name(), initLayerSuffix) // an init layer lives with its chain
		if !live[chain] && !strings.HasPrefix(e.Name(), ".") {
			if err := os.RemoveAll(filepath.Join(s.layersDir, e.Name())); err != nil {
				return fmt.Errorf("pruning layer %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}
