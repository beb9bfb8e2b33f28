package ociruntime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// Foreground is a runtime running a container in the foreground: `run`
// without --detach. The runtime creates and starts the container, waits
// for its init, deletes the container's state and exits with the init's
// status: one runtime process for the container's whole life, where
// RunDetached (or Create and Start) then Delete take two or three.
type Foreground struct {
	cmd      *exec.Cmd
	id       string
	log      string
	offset   int64
	waitDone chan struct{}
	status   int
	err      error
}

// ForegroundPassesStdio reports whether the runtime's foreground `run`
// hands the caller's stdio to the container as they are, as `run
// --detach` does, so that StartForeground may stand for RunDetached, a
// wait and Delete. ward-runtime does. runc 1.1 puts pipes of its own
// between them and copies through them: the container would see a pipe
// as its stdin where Docker gives /dev/null, and every byte of output
// would be copied once more. It is known by the binary's name: runc's
// command line has no flag or features entry that tells.
func (r *Runtime) ForegroundPassesStdio() bool {
	return filepath.Base(r.Path) == "ward-runtime"
}

// StartForeground starts container id from bundle in the foreground and
// returns once the runtime process has started; the init's pid is in
// opts.PidFile once the runtime has created the container. The runtime
// gets a process group of its own, so that a terminal's job-control
// signals reach the caller only, which forwards what it means to.
// opts.Stdio are the runtime's and the container's stdio; opts.ConsoleSocket
// is not used (a terminal needs Create and Start).
func (r *Runtime) StartForeground(ctx context.Context, id, bundle string, opts CreateOpts) (*Foreground, error) {
	logPath := r.LogPath(id)
	if err := os.MkdirAll(filepath.Dir(logPath), 0o700); err != nil {
		return nil, fmt.Errorf("create container %s: %w", id, err)
	}
	// Only lines this call writes count: the log outlives calls.
	var offset int64
	if st, err := os.Stat(logPath); err == nil {
		offset = st.Size()
	}
	args := []string{"--root", r.Root, "--log", logPath, "--log-format", "json", "run", "--bundle", bundle}
	if opts.PidFile != "" {
		args = append(args, "--pid-file", opts.PidFile)
	}
	cmd := exec.CommandContext(ctx, r.Path, append(args, id)...)
	// Files only: a Go writer would make Wait wait for the last process
	// holding the pipe, not for the runtime.
	if opts.Stdio.Stdin != nil {
		cmd.Stdin = opts.Stdio.Stdin
	}
	if opts.Stdio.Stdout != nil {
		cmd.Stdout = opts.Stdio.Stdout
	}
	if opts.Stdio.Stderr != nil {
		cmd.Stderr = opts.Stdio.Stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("create container %s: run %s: %w", id, r.Path, err)
	}
	f := &Foreground{cmd: cmd, id: id, log: logPath, offset: offset, waitDone: make(chan struct{})}
	go f.wait()
	return f, nil
}

func (f *Foreground) wait() {
	defer close(f.waitDone)
	err := f.cmd.Wait()
	if err == nil {
		return
	}
	// The runtime reports its own failures in the log; without a new
	// error line there, its status is the container's.
	if msg := lastError(f.log, f.offset); msg != "" {
		f.err = &Error{Op: "create", ID: f.id, Msg: msg}
		return
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			// The runtime itself was killed: the container may live on.
			f.err = fmt.Errorf("run container %s: the runtime %s died of signal %d", f.id, f.cmd.Path, ws.Signal())
			return
		}
		f.status = exit.ExitCode()
		return
	}
	f.err = fmt.Errorf("run container %s: %w", f.id, err)
}

// Exited is closed once the runtime has exited.
func (f *Foreground) Exited() <-chan struct{} { return f.waitDone }

// Wait waits for the runtime to exit and returns the container's exit
// status (128+N for signal N, as the runtime reports it); or an *Error
// when the runtime failed and said why in its log (the container did not
// run); or another error when the runtime itself died, in which case the
// container may still exist.
func (f *Foreground) Wait() (int, error) {
	<-f.waitDone
	return f.status, f.err
}
