package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/record"
)

// RmOptions are `ward rm`'s flags.
type RmOptions struct {
	Force   bool // kill a running container first (and keep its monitor from restarting it)
	Volumes bool // remove its anonymous volumes too
}

// Rm is `ward rm` of one container, as docker's: a running container is
// refused unless forced, then killed; one that exited while its monitor
// records the end is waited for rather than refused; a --rm container
// gone meanwhile is no error.
func (e *Engine) Rm(c *record.Container, o RmOptions) error {
	if o.Force {
		e.MarkStopRequested(c.ID) // no restart for its monitor
	}
	if c.State.Status != record.StatusRunning && e.Records.Monitored(c.ID) {
		// Exited, and its monitor is recording the end: wait for it
		// rather than refuse a stopped container.
		if e.WaitStopped(c.ID, 5*time.Second) {
			if c2, err := e.Records.Load(c.ID); err == nil {
				c = c2
			} else if errors.Is(err, record.ErrNotFound) {
				return nil // --rm removed it
			}
		}
	}
	if c.State.Status == record.StatusRunning || e.Records.Monitored(c.ID) {
		if !o.Force {
			return fmt.Errorf("%w: you cannot remove a running container %s; stop it first or use rm -f", record.ErrConflict, c.ID)
		}
		e.Runtime.Kill(context.Background(), c.ID, unix.SIGKILL, true)
		if !e.WaitStopped(c.ID, 10*time.Second) {
			return fmt.Errorf("container %s did not stop", c.ShortName())
		}
		if c2, err := e.Records.Load(c.ID); err == nil {
			c = c2
		} else if errors.Is(err, record.ErrNotFound) {
			return nil // --rm removed it
		}
	}
	if err := e.Remove(c); err != nil {
		return err
	}
	if o.Volumes {
		return e.RemoveAnonymousVolumes(c)
	}
	return nil
}
