package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/linux/console"
	"github.com/wardproject/ward/internal/linux/consolesocket"
	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/record"
)

// SetSubreaper makes the calling process the subreaper of its
// descendants, so that a container's init, whose parent (`runtime
// create`) exits, is reparented to it and can be waited for.
func SetSubreaper() error {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("become child subreaper: %w", err)
	}
	return nil
}

// classify gives a runtime failure Docker's exit status.
func classify(err error) int { return ociruntime.ExitStatus(err) }

// Stdio is how a supervised container's process is wired. Without a
// terminal the process gets these files; with one (Config.Tty) ward
// copies between them and the pty's master.
type Stdio struct {
	Stdin, Stdout, Stderr *os.File
	// Log, when set, receives the output too (what `ward logs` shows of
	// a container run in the foreground): the process then writes to
	// pipes that ward copies to both.
	Log io.Writer
	// LogErr, when set, receives stderr's output instead of Log (a
	// log that keeps the two streams apart).
	LogErr io.Writer
	// Notices, when set, receives ward's own reports while the
	// container runs (--profile-mode log: profile_log.go).
	Notices io.Writer
}

// Supervise runs a created or exited container's process to its end:
// runtime create and start, started(pid) once it runs, wait for it (the
// caller must be a subreaper, see SetSubreaper), record the exit, delete
// the runtime's state, and remove the container when AutoRemove is set.
// Without a terminal, under ward-runtime, all the runtime's part is one
// foreground `run` (foreground.go); otherwise `run --detach` (or, with a
// terminal, create and start) and delete.
// It returns the container's exit status (128+N for signal N), or an
// *exitstatus.Error when the process could not run.
func (e *Engine) Supervise(ctx context.Context, id string, stdio Stdio, started func(pid int)) (int, error) {
	lock, err := e.Records.LockMonitor(id)
	if err != nil {
		return 0, &exitstatus.Error{Code: 125, Err: err}
	}
	defer lock.Unlock()
	c, err := e.Records.Load(id)
	if err != nil {
		return 0, &exitstatus.Error{Code: 125, Err: err}
	}
	if !c.State.Status.CanStart() {
		return 0, &exitstatus.Error{Code: 125, Err: fmt.Errorf("%w: container %s is %s", record.ErrConflict, c.ShortName(), c.State.Status)}
	}
	stopDenials, err := e.watchProfileDenials(c, stdio.Notices)
	if err != nil {
		return 0, &exitstatus.Error{Code: 125, Err: err}
	}
	defer stopDenials()
	var teed chan struct{}
	if !c.Config.Tty {
		// Never hand the container ward's own descriptors: they may be
		// the user's terminal, into which a process with CAP_SYS_ADMIN
		// could type (TIOCSTI). Pipes, as Docker gives.
		var closeOurs func()
		if stdio, teed, closeOurs, err = pipeStdio(stdio); err != nil {
			return 0, &exitstatus.Error{Code: 125, Err: err}
		}
		defer closeOurs() // ends copies a lingering writer would hold open
	}
	// The runtime's foreground run reaps whatever child ends, which
	// would take a health check's exec for the container: with a check,
	// create and start, and wait for the init alone.
	if !c.Config.Tty && e.Runtime.ForegroundPassesStdio() && c.HealthInterval() == 0 {
		return e.superviseForeground(ctx, c, stdio, teed, started)
	}
	pid, master, err := e.createAndStart(ctx, c, stdio)
	if teed != nil {
		// Ward's own copies of the process's pipe ends must go, or the
		// copies never see the end of the output.
		stdio.Stdout.Close()
		stdio.Stderr.Close()
		if stdio.Stdin != nil {
			stdio.Stdin.Close()
		}
	}
	if err != nil {
		waitDone(teed) // the runtime's own message, on its way to stderr
		return 0, e.failedStart(c, err)
	}
	e.markRunning(ctx, c, pid) // a failure killed it: the wait below ends at once
	if started != nil {
		started(pid)
	}
	var copied chan struct{}
	if master != nil {
		copied = copyTerminal(master, stdio)
	}
	stopChecks := e.checkHealthEvery(ctx, c) // health.go
	status := waitPid(pid)
	stopChecks()
	// The last output, until the last holder of the pty's slave or of the
	// pipes is gone (with --pid host, a daemon the container left).
	waitDone(copied)
	waitDone(teed)
	if master != nil {
		master.Close()
	}
	if cur, err := e.Records.Load(id); err == nil {
		c.State.Health = cur.State.Health // the checks' last results
	}
	return status, e.exited(c, status, true)
}

// exited records c's exit with status and cleans up after it: the
// runtime's state (unless the runtime has deleted it already), and the
// container itself for --rm.
func (e *Engine) exited(c *record.Container, status int, deleteRuntimeState bool) error {
	c.State.Status, c.State.Running, c.State.Pid = record.StatusExited, false, 0
	c.State.ExitCode, c.State.FinishedAt = status, time.Now().UTC()
	c.State.Paused = false
	if now, err := e.Records.Load(c.ID); err == nil {
		c.Name = now.Name // ward rename while it ran
	}
	if c.HostConfig.AutoRemove {
		// Its record is deleted next, under the monitor lock (so `ward
		// wait` sees it removed, not exited): written only when the
		// removal fails and the container stays. One record fewer on the
		// path of every `ward run --rm`; a ward killed before the removal
		// leaves it running by its record, which the next look at it
		// finds stale (Stale, Refresh) and removes.
		e.event("die", c, map[string]string{"exitCode": strconv.Itoa(status)})
		if e.cleanUp(c, deleteRuntimeState) {
			return nil
		}
		return e.Records.Save(c)
	}
	saveErr := e.Records.Save(c)
	e.event("die", c, map[string]string{"exitCode": strconv.Itoa(status)})
	e.cleanUp(c, deleteRuntimeState)
	return saveErr
}

// failedStart records why a container did not start (and the exit
// status ward gives for it), cleans up as after an exit, and returns err.
func (e *Engine) failedStart(c *record.Container, err error) error {
	c.State.Error = err.Error()
	if ee := (*exitstatus.Error)(nil); errors.As(err, &ee) {
		c.State.ExitCode = ee.Code
	}
	e.Records.Save(c)
	e.finish(c)
	return err
}

// markRunning records c running as pid; when that cannot be recorded the
// container is killed rather than left running unknown to ward.
func (e *Engine) markRunning(ctx context.Context, c *record.Container, pid int) error {
	resumeGCSoon() // held since Create (gc.go)
	c.State = record.State{Status: record.StatusRunning, Running: true, Pid: pid, StartedAt: time.Now().UTC()}
	c.ResetHealth()
	if err := e.Records.Save(c); err != nil {
		e.Runtime.Kill(ctx, c.ID, unix.SIGKILL, true)
		return err
	}
	e.event("start", c, nil)
	return nil
}

// finish deletes the runtime's state of a stopped container and, for
// --rm, the container itself.
func (e *Engine) finish(c *record.Container) { e.cleanUp(c, true) }

// cleanUp is finish, leaving the runtime's state alone unless
// deleteRuntimeState. It reports whether the container was removed.
func (e *Engine) cleanUp(c *record.Container, deleteRuntimeState bool) (removed bool) {
	// The runtime's state and the snapshot are independent: remove both
	// at once, since --rm's cleanup is on the path of every short run.
	var snapErr error
	var wg sync.WaitGroup
	if c.HostConfig.AutoRemove {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snapErr = e.Snapshots.Remove(c.ID)
		}()
	}
	if deleteRuntimeState {
		if err := e.Runtime.Delete(context.Background(), c.ID, true); err != nil && !errors.Is(err, ociruntime.ErrNotFound) {
			e.warn(fmt.Sprintf("container %s: %v", c.ID, err))
		}
	}
	wg.Wait()
	if !c.HostConfig.AutoRemove {
		return false
	}
	if snapErr == nil {
		snapErr = e.releaseNetwork(c.ID)
	}
	if snapErr == nil {
		snapErr = e.releaseIDs(c)
	}
	if snapErr == nil {
		snapErr = e.Records.Delete(c.ID)
		removed = snapErr == nil
	}
	if snapErr == nil {
		e.event("destroy", c, nil)
		snapErr = e.RemoveAnonymousVolumes(c) // as docker run --rm
	}
	if snapErr != nil {
		e.warn(snapErr.Error())
	}
	return removed
}

func (e *Engine) warn(msg string) {
	if e.Warn != nil {
		e.Warn(msg)
	}
}

// createAndStart has the runtime create and start the container and
// returns its init's pid, and the pty master when it has a terminal (sent
// by the runtime between create and start). Without a terminal it is one
// call, `run --detach`: used for runtimes whose foreground run would not
// hand the container ward's stdio (see superviseForeground).
func (e *Engine) createAndStart(ctx context.Context, c *record.Container, stdio Stdio) (int, *os.File, error) {
	if !c.State.StartedAt.IsZero() || c.State.Error != "" || e.runtimeHasState(c.ID) {
		// Leftovers of an earlier run (a monitor killed before its
		// delete); a container never run has none, and skipping the
		// call saves a runtime start on every `ward run`.
		e.Runtime.Delete(ctx, c.ID, true)
	}
	if err := e.ensureNetwork(c); err != nil {
		return 0, nil, &exitstatus.Error{Code: 125, Err: err}
	}
	opts := ociruntime.CreateOpts{PidFile: filepath.Join(e.Records.Dir(c.ID), "init.pid")}
	os.Remove(opts.PidFile)
	var masterc chan masterResult
	if c.Config.Tty {
		cs, err := consolesocket.Listen()
		if err != nil {
			return 0, nil, exitstatus.New(125, err)
		}
		defer cs.Close()
		opts.ConsoleSocket = cs.Path()
		masterc = make(chan masterResult, 1)
		go receiveMaster(cs, masterc)
	} else {
		opts.Stdio = ociruntime.Stdio{Stdin: stdio.Stdin, Stdout: stdio.Stdout, Stderr: stdio.Stderr}
		// Nothing to do between create and start: one runtime call.
		if err := e.Runtime.RunDetached(ctx, c.ID, e.BundleDir(c.ID), opts); err != nil {
			return 0, nil, e.runError(c, err)
		}
		pid, err := readPidFile(opts.PidFile)
		if err != nil {
			e.Runtime.Delete(ctx, c.ID, true)
			return 0, nil, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: %w", c.ID, err)}
		}
		return pid, nil, nil
	}
	if err := e.Runtime.Create(ctx, c.ID, e.BundleDir(c.ID), opts); err != nil {
		return 0, nil, e.runError(c, err)
	}
	var master *os.File
	if masterc != nil {
		select {
		case r := <-masterc:
			if r.err != nil {
				e.Runtime.Delete(ctx, c.ID, true)
				return 0, nil, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: terminal: %w", c.ID, r.err)}
			}
			master = r.f
			if stdio.Stdin != nil && term.IsTerminal(int(stdio.Stdin.Fd())) {
				// Before start, so the process sees its size from the first instruction.
				if w, h, err := term.GetSize(int(stdio.Stdin.Fd())); err == nil {
					console.SetSize(master, uint16(h), uint16(w))
				}
			}
		case <-time.After(10 * time.Second):
			e.Runtime.Delete(ctx, c.ID, true)
			return 0, nil, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: the runtime sent no terminal", c.ID)}
		}
	}
	pid, err := readPidFile(opts.PidFile)
	if err != nil {
		e.Runtime.Delete(ctx, c.ID, true)
		return 0, nil, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: %w", c.ID, err)}
	}
	if err := e.Runtime.Start(ctx, c.ID); err != nil {
		e.Runtime.Delete(ctx, c.ID, true)
		waitPid(pid)
		return 0, nil, e.runError(c, err)
	}
	return pid, master, nil
}

// readPidFile reads the init's pid the runtime wrote.
func readPidFile(path string) (int, error) {
	data, err := os.ReadFile(path)
	pid, perr := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || perr != nil || pid <= 0 {
		return 0, errors.New("no init pid from the runtime")
	}
	return pid, nil
}

func (e *Engine) runError(c *record.Container, err error) error {
	msg := err.Error()
	var re *ociruntime.Error
	if errors.As(err, &re) && re.Msg != "" {
		msg = re.Msg
	}
	return &exitstatus.Error{Code: classify(err), Err: runtimeFailure{msg: fmt.Sprintf("container %s: %s", c.ShortName(), msg), err: err}}
}

// runtimeFailure is the runtime's message about a container, keeping the
// runtime's error for errors.As: a caller whose stderr the runtime wrote
// to has shown it already.
type runtimeFailure struct {
	msg string
	err error
}

func (f runtimeFailure) Error() string { return f.msg }
func (f runtimeFailure) Unwrap() error { return f.err }

type masterResult struct {
	f   *os.File
	err error
}

func receiveMaster(cs *consolesocket.Socket, out chan<- masterResult) {
	m, err := cs.ReceiveMaster()
	out <- masterResult{f: m, err: err}
}

// waitDone waits, a bounded time, for an output copy to end.
func waitDone(done chan struct{}) {
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

// tee writes to a terminal (or ward's stdout) and, when set, a log; a
// failing terminal does not stop the log.
type tee struct {
	out *os.File
	log io.Writer
}

func (t tee) Write(p []byte) (int, error) {
	if t.log == nil {
		return t.out.Write(p)
	}
	if t.out != nil {
		t.out.Write(p)
	}
	return t.log.Write(p)
}

// pipeStdio gives the process pipes for stdout and stderr, copied to the
// given files and to stdio.Log, and a pipe for stdin fed from the given
// stdin (unless that is /dev/null, which is harmless to share). It returns
// the process's stdio, a channel closed when both output copies end, and a
// function closing ward's ends.
func pipeStdio(stdio Stdio) (Stdio, chan struct{}, func(), error) {
	var ours []*os.File
	closeOurs := func() {
		for _, f := range ours {
			f.Close()
		}
	}
	proc := Stdio{Stdin: stdio.Stdin}
	if stdio.Stdin != nil && stdio.Stdin.Name() != os.DevNull {
		r, w, err := os.Pipe()
		if err != nil {
			return stdio, nil, nil, err
		}
		ours = append(ours, w)
		proc.Stdin = r
		go func() {
			io.Copy(w, stdio.Stdin)
			w.Close() // the process sees the end of its input
		}()
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	errLog := stdio.Log
	if stdio.LogErr != nil {
		errLog = stdio.LogErr
	}
	for _, c := range []struct {
		out  *os.File
		proc **os.File
		log  io.Writer
	}{{stdio.Stdout, &proc.Stdout, stdio.Log}, {stdio.Stderr, &proc.Stderr, errLog}} {
		r, w, err := os.Pipe()
		if err != nil {
			if proc.Stdin != stdio.Stdin {
				proc.Stdin.Close()
			}
			if proc.Stdout != nil {
				proc.Stdout.Close()
			}
			closeOurs()
			return stdio, nil, nil, err
		}
		ours = append(ours, r)
		*c.proc = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			io.Copy(tee{out: c.out, log: c.log}, r)
		}()
	}
	go func() { wg.Wait(); close(done) }()
	return proc, done, closeOurs, nil
}

// copyTerminal copies the master's output to stdout (and the log) and
// stdin to the master; the channel closes when the output ends.
func copyTerminal(master *os.File, stdio Stdio) chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var w io.Writer = io.Discard
		switch {
		case stdio.Log != nil:
			w = tee{out: stdio.Stdout, log: stdio.Log}
		case stdio.Stdout != nil:
			w = stdio.Stdout
		}
		io.Copy(w, master) // ends with EIO once the slave is closed
	}()
	if stdio.Stdin != nil {
		go io.Copy(master, stdio.Stdin)
		if fd := int(stdio.Stdin.Fd()); term.IsTerminal(fd) {
			go followSize(fd, master, done)
		}
	}
	return done
}

// followSize gives the pty the size of ward's own terminal, now and on
// every SIGWINCH, until done closes.
func followSize(fd int, master *os.File, done chan struct{}) {
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, unix.SIGWINCH)
	defer signal.Stop(winch)
	for {
		if w, h, err := term.GetSize(fd); err == nil {
			console.SetSize(master, uint16(h), uint16(w))
		}
		select {
		case <-winch:
		case <-done:
			return
		}
	}
}

// waitPid waits for a child and returns its status as a shell reports it.
func waitPid(pid int) int {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			// Not our child (no subreaper): wait for it to go, status unknown.
			for unix.Kill(pid, 0) == nil {
				time.Sleep(pollInterval)
			}
			return 255
		}
		break
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
