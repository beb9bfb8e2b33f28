package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/cp"
	"github.com/wardproject/ward/internal/record"
)

// FilesRoot is the directory under which a container's files are read
// and written by `ward cp`: a running container's root as its processes
// see it, its mounts included (/proc/PID/root), else its snapshot's
// root filesystem, mounted again if a reboot unmounted it.
func (e *Engine) FilesRoot(c *record.Container) (string, error) {
	if c.State.Status == record.StatusRunning && c.State.Pid > 0 {
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

// FilesIDs is the user namespace mapping of a container's spec (nil
// when it has none), which `ward cp` applies to owners.
func (e *Engine) FilesIDs(c *record.Container) (*cp.IDMap, error) {
	data, err := os.ReadFile(filepath.Join(e.BundleDir(c.ID), "config.json"))
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.ShortName(), err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("container %s: %w", c.ShortName(), err)
	}
	if spec.Linux == nil || len(spec.Linux.UIDMappings) == 0 {
		return nil, nil
	}
	ids := &cp.IDMap{}
	for _, m := range spec.Linux.UIDMappings {
		ids.UIDs = append(ids.UIDs, cp.IDRange{ContainerID: m.ContainerID, HostID: m.HostID, Size: m.Size})
	}
	for _, m := range spec.Linux.GIDMappings {
		ids.GIDs = append(ids.GIDs, cp.IDRange{ContainerID: m.ContainerID, HostID: m.HostID, Size: m.Size})
	}
	return ids, nil
}
