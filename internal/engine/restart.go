package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wardproject/ward/internal/record"
)

// ParseRestartPolicy reads --restart no|on-failure[:N]|always|unless-stopped.
func ParseRestartPolicy(v string) (record.RestartPolicy, error) {
	name, count, hasCount := strings.Cut(v, ":")
	p := record.RestartPolicy{Name: name}
	switch name {
	case "", "no":
		p.Name = "no"
	case "always", "unless-stopped":
	case "on-failure":
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil || n < 0 {
				return record.RestartPolicy{}, fmt.Errorf("--restart %q: the retry count must be a number, 0 or more", v)
			}
			p.MaximumRetryCount = n
		}
		return p, nil
	default:
		return record.RestartPolicy{}, fmt.Errorf("--restart %q: want no, on-failure[:N], always or unless-stopped", v)
	}
	if hasCount {
		return record.RestartPolicy{}, fmt.Errorf("--restart %q: only on-failure takes a retry count", v)
	}
	return p, nil
}

// stopRequestedFile marks a container that `ward stop` (or rm -f, or
// restart) was asked to stop: its monitor does not restart it, and boot
// does not bring back an unless-stopped container so marked. `ward
// start` removes it. It is a file of its own, not a record field, so
// that the monitor, which reads no JSON, can watch for it.
const stopRequestedFile = "stop-requested"

// StopRequestedPath is the marker's path for a container's directory.
func StopRequestedPath(containerDir string) string {
	return filepath.Join(containerDir, stopRequestedFile)
}

// MarkStopRequested records that the container was stopped on purpose.
func (e *Engine) MarkStopRequested(id string) error {
	f, err := os.OpenFile(StopRequestedPath(e.Records.Dir(id)), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	return f.Close()
}

// ClearStopRequested is `ward start`'s: the container runs on purpose again.
func (e *Engine) ClearStopRequested(id string) {
	os.Remove(StopRequestedPath(e.Records.Dir(id)))
}

func (e *Engine) stopRequested(id string) bool {
	_, err := os.Stat(StopRequestedPath(e.Records.Dir(id)))
	return err == nil
}

// shouldRestart applies the policy to an exit, as Docker's restart
// manager does: never after a requested stop; on-failure only for a
// non-zero status and within its retry count.
func (e *Engine) shouldRestart(c *record.Container, status int) bool {
	p := c.HostConfig.RestartPolicy
	if !p.Restarts() || c.HostConfig.AutoRemove || e.stopRequested(c.ID) {
		return false
	}
	if p.Name == "on-failure" {
		return status != 0 && (p.MaximumRetryCount == 0 || c.RestartCount < p.MaximumRetryCount)
	}
	return true
}

// ExitedRestart is Exited for a monitor that can restart: it records the
// exit and tells whether the policy asks for a restart, in which case
// the record says Restarting and counts it, and --rm's cleanup is not
// done.
func (e *Engine) ExitedRestart(id string, status int) (bool, error) {
	c, err := e.Records.Load(id)
	if err != nil {
		return false, err
	}
	restart := e.shouldRestart(c, status)
	c.State.Status, c.State.Running, c.State.Pid, c.State.Paused = record.StatusExited, false, 0, false
	c.State.ExitCode, c.State.FinishedAt = status, time.Now().UTC()
	c.State.Restarting = restart
	if restart {
		c.RestartCount++
	}
	saveErr := e.Records.Save(c)
	e.event("die", c, map[string]string{"exitCode": strconv.Itoa(status)})
	e.finish(c)
	return restart, saveErr
}

// clearRestarting ends the Restarting state of a container whose monitor
// gave up its restart because it was stopped.
func (e *Engine) clearRestarting(id string) {
	if c, err := e.Records.Load(id); err == nil && c.State.Restarting && !e.Records.Monitored(id) {
		c.State.Restarting = false
		e.Records.Save(c)
	}
}

// RestartAfterForeground applies the restart policy to the exit of a
// container ward ran in the foreground, which is already recorded: when
// the policy asks for a restart it counts it and records the container
// restarting, and the caller hands it to a monitor, as Docker's client
// returns at the first exit while its daemon restarts the container.
func (e *Engine) RestartAfterForeground(id string, status int) (bool, error) {
	c, err := e.Records.Load(id)
	if err != nil || !e.shouldRestart(c, status) {
		return false, err
	}
	c.RestartCount++
	c.State.Restarting = true
	return true, e.Records.Save(c)
}
