package engine

import (
	"context"
	"fmt"

	"github.com/wardproject/ward/internal/record"
)

// Pause freezes a running container's processes (the runtime's pause,
// a cgroup freezer) and records it paused. Its status stays running, as
// it still has its processes; State.Paused says it is frozen.
func (e *Engine) Pause(ctx context.Context, c *record.Container) error {
	if !c.State.Status.CanKill() {
		return fmt.Errorf("%w: container %s is not running", record.ErrConflict, c.ShortName())
	}
	if c.State.Paused {
		return fmt.Errorf("%w: container %s is already paused", record.ErrConflict, c.ShortName())
	}
	if err := e.Runtime.Pause(ctx, c.ID); err != nil {
		return fmt.Errorf("pause container %s: %w", c.ShortName(), err)
	}
	e.event("pause", c, nil)
	return e.setPaused(c.ID, true)
}

// Unpause thaws a paused container.
func (e *Engine) Unpause(ctx context.Context, c *record.Container) error {
	if !c.State.Paused || !c.State.Status.CanKill() {
		return fmt.Errorf("%w: container %s is not paused", record.ErrConflict, c.ShortName())
	}
	if err := e.Runtime.Resume(ctx, c.ID); err != nil {
		return fmt.Errorf("unpause container %s: %w", c.ShortName(), err)
	}
	e.event("unpause", c, nil)
	return e.setPaused(c.ID, false)
}

// thawAfterSignal resumes a paused container once a signal is sent, so
// that its processes can act on it (a frozen process neither handles
// SIGTERM nor dies of SIGKILL under the v1 freezer).
func (e *Engine) thawAfterSignal(ctx context.Context, c *record.Container) {
	if c.State.Paused {
		if e.Runtime.Resume(ctx, c.ID) == nil {
			e.setPaused(c.ID, false)
		}
	}
}

func (e *Engine) setPaused(id string, paused bool) error {
	c, err := e.Records.Load(id)
	if err != nil {
		return err
	}
	c.State.Paused = paused
	return e.Records.Save(c)
}
