package engine

import (
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/snapshot"
)

// initLayerPaths are the mount points Docker puts in each container's
// init layer, below its writable layer, so `docker diff` never lists
// them; ward's runtime makes them in the writable layer when the image
// lacks them, and Diff leaves them out the same way.
var initLayerPaths = []string{
	"/dev", "/dev/pts", "/dev/shm", "/dev/console", "/proc", "/sys", "/.dockerenv",
	"/etc", "/etc/resolv.conf", "/etc/hosts", "/etc/hostname", "/etc/mtab",
}

// Diff lists what a container changed in its root filesystem, as
// docker diff does.
func (e *Engine) Diff(c *record.Container) ([]snapshot.Change, error) {
	changes, err := e.Snapshots.Changes(c.ID)
	if err != nil {
		return nil, err
	}
	changes = slices.DeleteFunc(changes, func(ch snapshot.Change) bool {
		return ch.Kind == "A" && slices.Contains(initLayerPaths, ch.Path)
	})
	// A directory copied up only to hold those mount points (/etc) is no
	// change either.
	return slices.DeleteFunc(changes, func(ch snapshot.Change) bool {
		return ch.Kind == "C" && slices.Contains(initLayerPaths, ch.Path) &&
			!slices.ContainsFunc(changes, func(o snapshot.Change) bool { return strings.HasPrefix(o.Path, ch.Path+"/") })
	}), nil
}
