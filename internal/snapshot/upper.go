package snapshot

import "path/filepath"

// UpperDir is the overlay upper directory of a container's snapshot:
// every file the container wrote, created or deleted (as a whiteout) is
// there, which is what `ward learn` reads to find the paths a workload
// needs writable.
func (s *Snapshotter) UpperDir(containerID string) string {
	return filepath.Join(s.snapshotsDir, containerID, "upper")
}
