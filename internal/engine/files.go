package engine

import (
	"fmt"
	"os"
)

// FilesRoot is the directory under which a container's files are read
// and written by `ward cp`: a running container's root as its processes
// see it, its mounts included (/proc/PID/root), else its snapshot's
// root filesystem, mounted again if a reboot unmounted it.
func (e *Engine) FilesRoot(c *Container) (string, error) {
	if c.State.Status == StatusRunning && c.State.Pid > 0 {
		p := fmt.Sprintf("/proc/%d/root", c.State.Pid)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	rootfs, err := e.Snapshots.Mount(c.ID)
	if err != nil {
		return "", fmt.Errorf("container %s: %w", c.ShortName(), err)
	}
	return rootfs, nil
}
