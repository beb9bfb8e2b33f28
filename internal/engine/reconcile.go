package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wardproject/ward/internal/record"
)

// A container's record is written by its supervisor (the foreground
// `ward run`, or ward-monitor): "running" when the process starts, "exited"
// when the supervisor reaps it. A supervisor killed in between (SIGKILL,
// OOM, a reboot) leaves a record that says "running" about a process that
// may be gone, and the runtime's state, the snapshot's mount and, for
// --rm, the container itself behind. Status is therefore not taken from
// the record alone: like ward-runtime's, it is derived from whether the
// init still lives, and what a dead supervisor left is cleaned up by the
// first command that looks (ps, inspect, rm, start, stop, wait, prune).

// Stale tells, cheaply, whether a record may not say what is true: it
// says running and its init is gone, or it says created and the runtime
// holds state of it (a supervisor killed between create and start).
func (e *Engine) Stale(c *record.Container) bool {
	switch c.State.Status {
	case record.StatusRunning:
		return !initAlive(c.State.Pid, c.ID)
	case record.StatusCreated:
		return e.runtimeHasState(c.ID)
	}
	return false
}

// initAlive tells whether pid is still the container's init: alive (not
// a zombie waiting for a parent that may never reap it) and in the
// container's cgroup (whose path holds the ID), so that a PID reused by
// another process is not taken for it.
func initAlive(pid int, id string) bool {
	if pid <= 0 {
		return false
	}
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return false
	}
	// "pid (comm) S ...": the state follows the last ')'.
	if i := strings.LastIndexByte(string(stat), ')'); i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X' {
		return false
	}
	data, err := os.ReadFile(dir + "/cgroup")
	return err == nil && strings.Contains(string(data), id)
}

// Refresh brings a stale record up to date and cleans up after its dead
// supervisor: an init that died unwatched is recorded exited with status
// 255 (nobody saw its status), the runtime's state is deleted, and a --rm
// container is removed, in which case Refresh returns nil. A record whose
// supervisor is alive is left to it. It returns c unchanged when c is not
// stale.
func (e *Engine) Refresh(c *record.Container) (*record.Container, error) {
	if !e.Stale(c) {
		return c, nil
	}
	lock, err := e.Records.LockMonitor(c.ID)
	if err != nil {
		return c, nil // a supervisor lives and will record what happens
	}
	defer lock.Unlock()
	// Read again under the lock: a supervisor may have finished meanwhile.
	c, err = e.Records.Load(c.ID)
	if err != nil || !e.Stale(c) {
		return c, err
	}
	ctx := context.Background()
	if c.State.Status == record.StatusCreated {
		// Never started as far as the record knows: what the runtime holds
		// (an init waiting for start, or a process it started) goes.
		if err := e.Runtime.Delete(ctx, c.ID, true); err != nil {
			return c, fmt.Errorf("container %s: leftovers of a killed start: %w", c.ShortName(), err)
		}
		return c, nil
	}
	e.recordLost(c)
	e.finish(c)
	if c.HostConfig.AutoRemove {
		if _, err := e.Records.Load(c.ID); err != nil {
			return nil, nil
		}
	}
	return c, nil
}

// recordLost records the end of a container whose supervisor died before it.
func (e *Engine) recordLost(c *record.Container) {
	c.State = record.State{Status: record.StatusExited, ExitCode: 255, StartedAt: c.State.StartedAt, FinishedAt: time.Now().UTC(),
		Error: "the container's supervisor (ward run or ward-monitor) exited before the container; its exit status is unknown"}
	if err := e.Records.Save(c); err != nil {
		e.warn(err.Error())
	}
}

// runtimeHasState tells whether the runtime keeps state of the container
// (runc, crun and ward-runtime all keep it in ROOT/ID).
func (e *Engine) runtimeHasState(id string) bool {
	_, err := os.Stat(filepath.Join(e.RuntimeRoot(), id))
	return err == nil
}

// freedName brings the container holding name up to date and tells
// whether that removed it (a --rm container that died unwatched).
func (e *Engine) freedName(name string) bool {
	if name == "" {
		return false
	}
	c, err := e.Records.Find(name)
	if err != nil {
		return false
	}
	c, err = e.Refresh(c)
	return err == nil && c == nil
}
