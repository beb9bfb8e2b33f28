package engine

import (
	"fmt"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/record"
)

// EnsureMounted mounts a stopped container's root filesystem again when
// its mount is gone (after a reboot), so that `ward start` finds the root
// its bundle names, with the container's earlier writes.
func (e *Engine) EnsureMounted(c *record.Container) error {
	if _, err := e.Snapshots.Mount(c.ID); err != nil {
		return &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: %w", c.ShortName(), err)}
	}
	if err := e.ensureIDMappedBinds(c); err != nil { // idmapvol.go
		return &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: %w", c.ShortName(), err)}
	}
	return nil
}
