package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/record"
)

// A detached container's life is Supervise cut in two around the wait,
// so that the process that waits (ward-monitor, see internal/monitor)
// stays small: StartDetached runs in a short-lived ward the monitor
// starts, the monitor (the container's subreaper, holding its monitor
// lock) reaps the init, and Exited runs in another short-lived ward.

// StartDetached has the runtime create and start a created or exited
// container, with stdio as its process's files or, when consoleSocket is
// set (a terminal container), sending the terminal's master to that
// socket, and records it running. It returns the init's pid; the caller
// must be the init's subreaper and call Exited once it has reaped it. A
// failure is recorded and cleaned up (the container removed for --rm)
// before StartDetached returns an *exitstatus.Error.
func (e *Engine) StartDetached(ctx context.Context, id string, stdio Stdio, consoleSocket string) (int, error) {
	c, err := e.Records.Load(id)
	if err != nil {
		return 0, &exitstatus.Error{Code: 125, Err: err}
	}
	if !c.State.Status.CanStart() {
		return 0, &exitstatus.Error{Code: 125, Err: fmt.Errorf("%w: container %s is %s", record.ErrConflict, c.ShortName(), c.State.Status)}
	}
	pid, err := e.runDetached(ctx, c, stdio, consoleSocket)
	if err != nil {
		return 0, e.failedStart(c, err)
	}
	if err := e.markRunning(ctx, c, pid); err != nil {
		return 0, &exitstatus.Error{Code: 125, Err: err}
	}
	return pid, nil
}

func (e *Engine) runDetached(ctx context.Context, c *record.Container, stdio Stdio, consoleSocket string) (int, error) {
	if !c.State.StartedAt.IsZero() || c.State.Error != "" || e.runtimeHasState(c.ID) {
		e.Runtime.Delete(ctx, c.ID, true) // leftovers of an earlier run
	}
	if err := e.ensureNetwork(c); err != nil { // gone after a reboot
		return 0, &exitstatus.Error{Code: 125, Err: err}
	}
	opts := ociruntime.CreateOpts{PidFile: filepath.Join(e.Records.Dir(c.ID), "init.pid")}
	os.Remove(opts.PidFile)
	if consoleSocket == "" {
		opts.Stdio = ociruntime.Stdio{Stdin: stdio.Stdin, Stdout: stdio.Stdout, Stderr: stdio.Stderr}
		if err := e.Runtime.RunDetached(ctx, c.ID, e.BundleDir(c.ID), opts); err != nil {
			return 0, e.runError(c, err)
		}
		pid, err := readPidFile(opts.PidFile)
		if err != nil {
			e.Runtime.Delete(ctx, c.ID, true)
			return 0, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: %w", c.ID, err)}
		}
		return pid, nil
	}
	opts.ConsoleSocket = consoleSocket
	if err := e.Runtime.Create(ctx, c.ID, e.BundleDir(c.ID), opts); err != nil {
		return 0, e.runError(c, err)
	}
	pid, err := readPidFile(opts.PidFile)
	if err != nil {
		e.Runtime.Delete(ctx, c.ID, true)
		return 0, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: %w", c.ID, err)}
	}
	if err := e.Runtime.Start(ctx, c.ID); err != nil {
		e.Runtime.Delete(ctx, c.ID, true) // its init, our child's child, is reaped by the monitor
		return 0, e.runError(c, err)
	}
	return pid, nil
}

// Exited records the exit status of a detached container's init, reaped
// by its monitor, deletes the runtime's state and removes the container
// when it was run with --rm.
func (e *Engine) Exited(id string, status int) error {
	c, err := e.Records.Load(id)
	if err != nil {
		return err
	}
	c.State.Status, c.State.Running, c.State.Pid, c.State.Paused = record.StatusExited, false, 0, false
	c.State.ExitCode, c.State.FinishedAt = status, time.Now().UTC()
	saveErr := e.Records.Save(c)
	e.event("die", c, map[string]string{"exitCode": strconv.Itoa(status)})
	e.finish(c)
	return saveErr
}
