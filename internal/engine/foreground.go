package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/record"
)

// superviseForeground is Supervise for a container without a terminal,
// under a runtime whose foreground run hands the container ward's stdio
// (ociruntime.Runtime.ForegroundPassesStdio: ward-runtime): one runtime
// `run` in the foreground creates and starts it, waits for
// its init and deletes the runtime's state, where `run --detach` then
// `delete` took two runtime processes (a Go process's start and exit cost
// about 3 ms of CPU here: see BENCHMARKS.md). ward learns the init's pid
// from the pid file, which it polls for (watchPidFile), to record
// the container running and forward signals to it. The caller has set up
// stdio (pipes) and teed (their copies' end); ward's copies of the
// process's ends are closed here once the runtime has them.
func (e *Engine) superviseForeground(ctx context.Context, c *record.Container, stdio Stdio, teed chan struct{}, started func(pid int)) (int, error) {
	closeProcessEnds := func() {
		stdio.Stdout.Close()
		stdio.Stderr.Close()
		if stdio.Stdin != nil {
			stdio.Stdin.Close()
		}
	}
	if !c.State.StartedAt.IsZero() || c.State.Error != "" {
		// Leftovers of an earlier run (a monitor killed before its
		// delete); a container never run has none.
		e.Runtime.Delete(ctx, c.ID, true)
	}
	if err := e.ensureNetwork(c); err != nil {
		closeProcessEnds()
		return 0, e.failedStart(c, &exitstatus.Error{Code: 125, Err: err})
	}
	pidFile := filepath.Join(e.Records.Dir(c.ID), "init.pid")
	os.Remove(pidFile)
	// Watched before the runtime starts, so its creation cannot be missed.
	created, stopWatch, err := watchPidFile(pidFile)
	if err != nil {
		closeProcessEnds()
		return 0, e.failedStart(c, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: %w", c.ID, err)})
	}
	defer stopWatch()
	fg, err := e.Runtime.StartForeground(ctx, c.ID, e.BundleDir(c.ID), ociruntime.CreateOpts{
		PidFile: pidFile,
		Stdio:   ociruntime.Stdio{Stdin: stdio.Stdin, Stdout: stdio.Stdout, Stderr: stdio.Stderr},
	})
	// The runtime holds the process's ends now: ward's copies must go, or
	// the output copies never see the end.
	closeProcessEnds()
	if err != nil {
		return 0, e.failedStart(c, &exitstatus.Error{Code: 125, Err: err})
	}
	running := false
	markRunning := func() {
		pid, err := readPidFile(pidFile)
		if err != nil {
			return // not written yet, or the runtime failed before
		}
		running = true
		e.markRunning(ctx, c, pid)
		if started != nil {
			started(pid)
		}
	}
	for !running {
		select {
		case <-created:
			markRunning()
			continue
		case <-fg.Exited():
		}
		break
	}
	status, err := fg.Wait()
	if !running && err == nil {
		// It ran and exited before the pid file's event was read.
		markRunning()
	}
	// The last output, until the last holder of the pipes is gone (with
	// --pid host, a daemon the container left).
	waitDone(teed)
	if err != nil {
		var rerr *ociruntime.Error
		if errors.As(err, &rerr) {
			// The runtime said why, on its stderr (ward's), and cleaned
			// up after itself.
			return 0, e.failedStart(c, e.runError(c, err))
		}
		// The runtime itself died: the container may live on.
		e.Runtime.Kill(context.Background(), c.ID, unix.SIGKILL, true)
		return 0, e.failedStart(c, &exitstatus.Error{Code: 125, Err: err})
	}
	// The runtime has deleted its state as the container exited.
	return status, e.exited(c, status, false)
}

// pidFilePoll is how often watchPidFile looks for the pid file.
const pidFilePoll = time.Millisecond

// watchPidFile reports on the returned channel once the pid file at path
// holds a pid (the runtime writes it, or renames it into place as runc
// does, once the container is created); stop ends the watch sooner.
//
// It polls, every pidFilePoll while the runtime creates the container
// (some 10 to 30 stats). An inotify watch saw the file at once, but
// closing an inotify descriptor waits for the kernel to free its marks
// (an SRCU grace period: 8 to 16 ms on this kind of machine, `strace
// -T`), and whether closed at once, in a goroutine or at exit, that wait
// landed on a short `ward run`, after its container was gone (BENCHMARKS.md).
func watchPidFile(path string) (<-chan struct{}, func(), error) {
	ch := make(chan struct{}, 1)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(pidFilePoll)
		defer t.Stop()
		for {
			if _, err := readPidFile(path); err == nil {
				ch <- struct{}{} // buffered, and sent once
				return
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return ch, func() { once.Do(func() { close(done) }) }, nil
}
