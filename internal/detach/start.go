package detach

import (
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
)

// Start runs the created or stopped container c again, detached under a
// new monitor, as `ward start` and `ward restart` do: its root is
// mounted again if a reboot took it, and its stop request is cleared (it
// runs on purpose again, so its restart policy applies).
func Start(l rootdir.Layout, e *engine.Engine, c *record.Container) error {
	if err := e.EnsureMounted(c); err != nil {
		return err
	}
	e.ClearStopRequested(c.ID)
	return StartMonitor(l, c, e.RuntimePath)
}
