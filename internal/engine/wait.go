package engine

import (
	"errors"
	"time"

	"github.com/wardproject/ward/internal/record"
)

// Wait blocks until the container id has stopped and returns its exit
// code, as `docker wait`: 0 for a container removed at its end (--rm),
// as Docker reports once it is gone.
func (e *Engine) Wait(id string) (int, error) {
	for !e.WaitStopped(id, time.Hour) {
	}
	c, err := e.Records.Load(id)
	if errors.Is(err, record.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return c.State.ExitCode, nil
}
