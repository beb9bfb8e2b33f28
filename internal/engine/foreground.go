package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

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
// from the pid file, whose creation it watches with inotify, to record
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

// watchPidFile reports on the returned channel when the pid file at path
// is written and closed, or renamed into place (runc writes its pid file
// to a temporary name first), holding a pid; then it ends the watch by
// itself. stop ends it sooner.
//
// The watch ends as soon as it has served: closing an inotify
// descriptor waits for the kernel to free its marks (an SRCU grace
// period: 12 to 16 ms on this kind of machine, by `strace -T`), and
// done at ward's exit that wait came after the container was gone,
// before the user got their exit status. Closed by the reading goroutine
// while the container runs, it overlaps the container's own time.
func watchPidFile(path string) (<-chan struct{}, func(), error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, nil, fmt.Errorf("watch %s: %w", path, err)
	}
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(path), unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO); err != nil {
		unix.Close(fd)
		return nil, nil, fmt.Errorf("watch %s: %w", path, err)
	}
	// Through the runtime's poller: a blocked read does not hold a thread.
	f := os.NewFile(uintptr(fd), "inotify")
	var once sync.Once
	stop := func() { once.Do(func() { f.Close() }) }
	ch := make(chan struct{}, 1)
	name := filepath.Base(path)
	go func() {
		defer stop()
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			if err != nil {
				return // closed by stop
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				// struct inotify_event: wd, mask, cookie, len, then the name.
				nameLen := int(binary.NativeEndian.Uint32(buf[off+12:]))
				start := off + unix.SizeofInotifyEvent
				off = start + nameLen
				if off > n {
					break
				}
				if cString(buf[start:off]) != name {
					continue
				}
				if _, err := readPidFile(path); err == nil {
					ch <- struct{}{} // buffered, and sent once
					return
				}
			}
		}
	}()
	return ch, stop, nil
}

// cString is b up to its first NUL.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
