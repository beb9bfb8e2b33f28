package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/linux/consolesocket"
	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
)

// pollInterval is how often waiting commands look at a record.
const pollInterval = 50 * time.Millisecond

// Kill signals a running container's init.
func (e *Engine) Kill(ctx context.Context, c *record.Container, sig syscall.Signal) error {
	if c.State.Restarting {
		// Between two runs, waiting out the back-off: as Docker's kill
		// of a restarting container, it is not restarted.
		if err := e.MarkStopRequested(c.ID); err != nil {
			return err
		}
		e.WaitStopped(c.ID, 5*time.Second)
		e.clearRestarting(c.ID)
		return nil
	}
	if !c.State.Status.CanKill() {
		return fmt.Errorf("%w: container %s is not running", record.ErrConflict, c.ShortName())
	}
	// As Docker's: a container killed on purpose is not restarted.
	if err := e.MarkStopRequested(c.ID); err != nil {
		return err
	}
	// Journaled before the signal: the container may die, and its
	// monitor journal the die, before the runtime's kill returns.
	e.event("kill", c, map[string]string{"signal": strconv.Itoa(int(sig))})
	if err := e.Runtime.Kill(ctx, c.ID, sig, false); err != nil {
		if errors.Is(err, ociruntime.ErrNotFound) || errors.Is(err, ociruntime.ErrNotRunning) {
			// It exited just now, and its monitor may have decided a
			// restart before the mark: that restart is given up (the
			// monitor watches the mark through its back-off), as
			// Docker's kill of a restarting container.
			e.WaitStopped(c.ID, 5*time.Second)
			e.clearRestarting(c.ID)
			return nil
		}
		return fmt.Errorf("kill container %s: %w", c.ShortName(), err)
	}
	e.thawAfterSignal(ctx, c)
	return nil
}

// Stop sends the container's stop signal (--stop-signal, the image's
// STOPSIGNAL, or SIGTERM), then SIGKILL to every process after timeout,
// and returns once the exit is recorded.
func (e *Engine) Stop(ctx context.Context, c *record.Container, timeout time.Duration) error {
	// Before the signal, so its monitor does not restart it.
	if err := e.MarkStopRequested(c.ID); err != nil {
		return err
	}
	defer e.clearRestarting(c.ID)
	if !c.State.Status.CanKill() {
		// Exited on its own; its monitor may still be recording the end,
		// which stop's caller expects to find done.
		e.WaitStopped(c.ID, timeout+10*time.Second)
		return nil
	}
	e.event("kill", c, map[string]string{"signal": strconv.Itoa(int(c.StopSignal()))}) // before the die, as in Kill
	if err := e.Runtime.Kill(ctx, c.ID, c.StopSignal(), false); err == nil {
		e.thawAfterSignal(ctx, c)
		if e.WaitStopped(c.ID, timeout) {
			e.event("stop", c, nil)
			return nil
		}
	}
	e.event("kill", c, map[string]string{"signal": "9"})
	e.Runtime.Kill(ctx, c.ID, unix.SIGKILL, true)
	if !e.WaitStopped(c.ID, 10*time.Second) {
		return fmt.Errorf("container %s did not stop", c.ShortName())
	}
	e.event("stop", c, nil)
	return nil
}

// WaitStopped waits until a container's exit is recorded and its monitor
// is done, and tells whether that happened within timeout. A record whose
// monitor died is brought up to date here.
func (e *Engine) WaitStopped(id string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		monitored := e.Records.Monitored(id)
		// The record is read after the lock: read before, it could be the
		// monitor's last "running" and the exit it then recorded lost.
		c, err := e.Records.Load(id)
		if errors.Is(err, record.ErrNotFound) {
			return true // removed by --rm
		}
		if err == nil && !monitored {
			if c.State.Status != record.StatusRunning {
				return true
			}
			if e.Stale(c) {
				// Nobody watched it die: its status is lost, and what its
				// supervisor would have cleaned up is cleaned up here.
				e.Refresh(c)
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pollInterval)
	}
}

// ExecRequest is what `ward exec` asks for.
type ExecRequest struct {
	Args        []string
	User        string
	Env         []string
	Workdir     string
	Tty         bool
	Interactive bool
}

// Exec runs a process in a running container, with the container's own
// process settings (capabilities, no_new_privs, rlimits, environment)
// unless the request overrides them, and returns its exit status.
func (e *Engine) Exec(ctx context.Context, c *record.Container, req ExecRequest, stdio Stdio) (int, error) {
	if !c.State.Status.CanKill() {
		return 0, &exitstatus.Error{Code: 125, Err: fmt.Errorf("%w: container %s is not running", record.ErrConflict, c.ShortName())}
	}
	data, err := os.ReadFile(filepath.Join(e.BundleDir(c.ID), "config.json"))
	if err != nil {
		return 0, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: %w", c.ID, err)}
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil || spec.Process == nil {
		return 0, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: bad bundle config: %v", c.ID, err)}
	}
	p := *spec.Process
	p.Args, p.Terminal = req.Args, req.Tty
	p.ConsoleSize = nil
	if req.Tty && stdio.Stdin != nil {
		// The runtime sizes the pty before the process runs: set after
		// the start, a quick `stty size` could see none.
		if w, h, err := term.GetSize(int(stdio.Stdin.Fd())); err == nil && w > 0 && h > 0 {
			p.ConsoleSize = &specs.Box{Height: uint(h), Width: uint(w)}
		}
	}
	p.Env = append(append([]string(nil), p.Env...), req.Env...)
	if req.Workdir != "" {
		p.Cwd = req.Workdir
	}
	if req.User != "" {
		if p.User, err = runspec.ResolveUser(spec.Root.Path, req.User); err != nil {
			return 0, &exitstatus.Error{Code: 125, Err: err}
		}
	}
	opts := ociruntime.ExecOpts{}
	var masterc chan masterResult
	if req.Tty {
		cs, err := consolesocket.Listen()
		if err != nil {
			return 0, exitstatus.New(125, err)
		}
		defer cs.Close()
		opts.ConsoleSocket = cs.Path()
		masterc = make(chan masterResult, 1)
		go receiveMaster(cs, masterc)
	} else {
		opts.Stdio = ociruntime.Stdio{Stdout: stdio.Stdout, Stderr: stdio.Stderr}
		if req.Interactive {
			opts.Stdio.Stdin = stdio.Stdin
		}
	}
	done := make(chan error, 1)
	go func() { done <- e.Runtime.Exec(ctx, c.ID, p, opts) }()
	var copied chan struct{}
	var err2 error
	if masterc != nil {
		select {
		case r := <-masterc:
			if r.err == nil {
				in := stdio
				if !req.Interactive {
					in.Stdin = nil
				}
				copied = copyTerminal(r.f, in)
				defer r.f.Close()
			}
			err2 = <-done
		case err2 = <-done:
		}
	} else {
		err2 = <-done
	}
	if copied != nil {
		select {
		case <-copied:
		case <-time.After(2 * time.Second):
		}
	}
	var ee *exitstatus.Error
	switch {
	case err2 == nil:
		return 0, nil
	case errors.As(err2, &ee):
		return ee.Code, nil
	}
	return 0, e.runError(c, err2)
}
