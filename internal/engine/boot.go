package engine

import (
	"context"
	"time"

	"github.com/wardproject/ward/internal/record"
)

// Boot prepares the containers a reboot stopped and returns those their
// restart policy brings back, for the caller to start under monitors.
// It runs when no monitor does (at boot): a record that still says
// running lost its process with the machine, and is recorded exited
// (255, as Docker records an exit it did not see). Then always, and
// unless-stopped when it was not stopped on purpose, come back; and
// on-failure within its retry count, since the lost exit is a failure.
func (e *Engine) Boot(ctx context.Context) ([]*record.Container, error) {
	all, err := e.Records.List()
	if err != nil {
		return nil, err
	}
	var out []*record.Container
	for _, c := range all {
		if e.Records.Monitored(c.ID) {
			continue // already watched: not a reboot's leftover
		}
		if c.State.Status == record.StatusRunning || c.State.Restarting {
			c.State = record.State{Status: record.StatusExited, ExitCode: 255, StartedAt: c.State.StartedAt, FinishedAt: time.Now().UTC(),
				Error: "the machine stopped while the container ran"}
			if err := e.Records.Save(c); err != nil {
				return nil, err
			}
			e.Runtime.Delete(ctx, c.ID, true) // the runtime's state of a run that is gone
		}
		if c.State.Status != record.StatusExited || !c.HostConfig.RestartPolicy.Restarts() {
			continue
		}
		p := c.HostConfig.RestartPolicy
		switch {
		case p.Name == "unless-stopped" && e.stopRequested(c.ID):
		case p.Name == "on-failure" && (c.State.ExitCode == 0 || e.stopRequested(c.ID) ||
			(p.MaximumRetryCount > 0 && c.RestartCount >= p.MaximumRetryCount)):
		default:
			out = append(out, c)
		}
	}
	return out, nil
}
