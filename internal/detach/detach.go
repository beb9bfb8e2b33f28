// Package detach is ward's side of the monitor protocol (drawn in
// internal/monitor): a detached container (`ward run -d`, `ward start`,
// `ward restart`, `ward system boot`, a foreground container's
// --restart) is handed to a monitor process, and the monitor asks ward
// for the steps that need the engine (StartContainer, Exited).
//
// The monitor is ward-monitor, a small binary found beside ward, then on
// PATH; without one, ward itself (`ward container-monitor`, the same
// code in a bigger process).
package detach

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/monitor"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/sibling"
)

// MonitorCommand returns the command line that starts a monitor, self
// being the running ward binary.
func MonitorCommand(self string) []string {
	if p, err := sibling.Find("ward-monitor"); err == nil {
		return []string{p}
	}
	return []string{self, "container-monitor"}
}

// StartMonitor starts a detached monitor of container c under ward's
// root l, run by the runtime rt, and waits until it reports the
// container started or failed. Its errors exit 125, or with the status
// the monitor reported (126, 127 as docker's).
func StartMonitor(l rootdir.Layout, c *record.Container, rt string) error {
	fail := func(err error) error { return &exitstatus.Error{Code: 125, Err: err} }
	self, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	root, err := filepath.Abs(l.Root())
	if err != nil {
		return fail(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	defer r.Close()
	logPath := filepath.Join(rootdir.Layout(root).Container(c.ID), "monitor.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		w.Close()
		return fail(err)
	}
	defer logf.Close()
	argv := MonitorCommand(self)
	args := append(argv[1:], "--root", root, "--ward", self, "--runtime", rt)
	args = append(args, "--log", c.LogPath)
	if c.Config.Tty {
		args = append(args, "--tty")
	}
	if maxSize, maxFiles, err := c.HostConfig.LogConfig.Rotation(); err == nil && maxSize > 0 {
		args = append(args, "--log-max-size", strconv.FormatInt(maxSize, 10), "--log-max-file", strconv.Itoa(maxFiles))
	}
	if d := c.HealthInterval(); d > 0 {
		args = append(args, "--health-interval", d.String())
	}
	cmd := exec.Command(argv[0], append(args, c.ID)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// The monitor lives as long as the container: a small heap, collected
	// early, and one thread running Go code. In its environment these
	// take effect before its first instruction (runtime/debug would link
	// fmt and reflect into it); it does not pass them on.
	cmd.Env = append(os.Environ(), monitor.GoSettings...)
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/"
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fail(fmt.Errorf("start monitor of %s: %w", c.ID, err))
	}
	cmd.Process.Release()
	rerr, ok := monitor.ReadReport(r)
	if !ok {
		return fail(fmt.Errorf("the monitor of container %s exited before it started (see %s)", c.ID, logPath))
	}
	var me *exitstatus.Error
	if errors.As(rerr, &me) {
		return me
	}
	return nil
}

// RestartAfterForeground hands a foreground container that exited with
// status to a monitor when its restart policy asks for it, after
// Docker's first back-off, as Docker's client returns at the first exit
// while the daemon restarts it. A failure is a warning on stderr: the
// container's own status is what ward run reports.
func RestartAfterForeground(l rootdir.Layout, e *engine.Engine, c *record.Container, status int) {
	restart, err := e.RestartAfterForeground(c.ID, status)
	if err != nil || !restart {
		return
	}
	time.Sleep(monitor.RestartBackoff(0, 0))
	if err := StartMonitor(l, c, e.RuntimePath); err != nil {
		fmt.Fprintf(os.Stderr, "ward: restart container %s: %v\n", c.ShortName(), err)
	}
}

// StartContainer is `ward container-start`, the monitor's first step:
// it starts container id (with the runtime runtimePath, when given) and
// returns its init's pid. Without a terminal (consoleSocket "") the
// container's process gets /dev/null as stdin and, as stdout and stderr,
// the write ends of the pipes the monitor copies to the log, inherited
// as stdoutFD and stderrFD. It never gets the log itself, which it could
// truncate or rewrite.
func StartContainer(l rootdir.Layout, id, runtimePath, consoleSocket string, stdoutFD, stderrFD int) (int, error) {
	e, c, err := open.Container(l, id)
	if err == nil && runtimePath != "" {
		e, err = open.Engine(l, runtimePath)
	}
	if err != nil {
		return 0, &exitstatus.Error{Code: 125, Err: err}
	}
	stdio := engine.Stdio{}
	if consoleSocket == "" {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return 0, &exitstatus.Error{Code: 125, Err: err}
		}
		defer null.Close()
		if stdoutFD < 3 || stderrFD < 3 {
			return 0, &exitstatus.Error{Code: 125, Err: fmt.Errorf("container %s: container-start needs --stdout-fd and --stderr-fd (3 and up) or --console-socket", id)}
		}
		stdout, stderr := os.NewFile(uintptr(stdoutFD), "stdout"), os.NewFile(uintptr(stderrFD), "stderr")
		defer stdout.Close()
		defer stderr.Close()
		stdio = engine.Stdio{Stdin: null, Stdout: stdout, Stderr: stderr}
	}
	return e.StartDetached(context.Background(), c.ID, stdio, consoleSocket)
}

// Exited is `ward container-exited`, the monitor's last step: it
// records the exit status of container id, which the monitor reaped,
// and tells whether its restart policy starts it again.
func Exited(l rootdir.Layout, id string, status int) (restart bool, err error) {
	e, c, err := open.Container(l, id)
	if err != nil {
		return false, err
	}
	return e.ExitedRestart(c.ID, status)
}
