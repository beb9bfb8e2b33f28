package snapshot

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/sys/mountinfo"
)

// Mount makes sure an existing snapshot's root filesystem is mounted,
// mounting it again from its record when it is not (its mount is gone
// after a reboot, or was unmounted by hand), and returns the rootfs
// directory. The container's own writes, in upper/, are kept.
func (s *Snapshotter) Mount(containerID string) (string, error) {
	if !validID(containerID) {
		return "", fmt.Errorf("snapshot: invalid container ID %q", containerID)
	}
	dir := filepath.Join(s.snapshotsDir, containerID)
	rootfs := filepath.Join(dir, "rootfs")
	mounted, err := mountinfo.Mounted(rootfs)
	if err != nil {
		return "", fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	if mounted {
		return rootfs, nil
	}
	data, err := os.ReadFile(filepath.Join(dir, "snapshot.json"))
	if err != nil {
		return "", fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	var rec snapshotRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return "", fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	var lower []string
	for _, h := range rec.Layers {
		if !validID(h.Hex) {
			return "", fmt.Errorf("snapshot %s: invalid layer chain ID %q", containerID, h.Hex)
		}
		l := filepath.Join(s.layersDir, h.Hex)
		if _, err := os.Stat(l); err != nil {
			return "", fmt.Errorf("snapshot %s: layer %s: %w", containerID, h, err)
		}
		lower = append([]string{l}, lower...) // top layer first
	}
	if rec.Init && len(rec.Layers) > 0 {
		init := filepath.Join(s.layersDir, rec.Layers[len(rec.Layers)-1].Hex+initLayerSuffix)
		if _, err := os.Stat(init); err != nil {
			return "", fmt.Errorf("snapshot %s: init layer: %w", containerID, err)
		}
		lower = append([]string{init}, lower...)
	}
	if len(lower) == 0 {
		lower = []string{filepath.Join(dir, "empty")}
	}
	work := filepath.Join(dir, "work")
	if rec.Scratch {
		// overlayfs leaves this mark in a volatile mount's work directory
		// and refuses to mount it again while it is there, in case the
		// host crashed with writes unsynced: a scratch layer promises
		// nothing across a crash (it is removed when its container exits).
		if err := os.RemoveAll(filepath.Join(work, "work", "incompat", "volatile")); err != nil {
			return "", fmt.Errorf("snapshot %s: %w", containerID, err)
		}
	}
	mount := func(rootfs string, lower []string, upper, work string) error {
		return mountOverlay(rootfs, lower, upper, work, rec.Scratch)
	}
	if len(rec.UIDMappings) > 0 {
		mount = func(rootfs string, lower []string, upper, work string) error {
			return mountOverlayMapped(dir, rootfs, lower, upper, work, rec)
		}
	}
	if err := mount(rootfs, lower, filepath.Join(dir, "upper"), work); err != nil {
		return "", fmt.Errorf("snapshot %s: %w", containerID, err)
	}
	return rootfs, nil
}
