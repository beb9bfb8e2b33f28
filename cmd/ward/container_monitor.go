package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/monitor"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/sibling"
)

// A detached container is watched by a monitor process (internal/monitor
// has the protocol): ward-monitor, a small binary found beside ward, then
// on PATH; without one, ward itself (`ward container-monitor`, the same
// code in a bigger process). The monitor runs `ward container-start` and
// `ward container-exited` for the steps that need the engine.

// findMonitor returns the command line that starts a monitor.
func findMonitor(self string) []string {
	if p, err := sibling.Find("ward-monitor"); err == nil {
		return []string{p}
	}
	return []string{self, "container-monitor"}
}

// startMonitor starts a detached monitor of container c, run by the
// runtime rt, and waits until it reports the container started or failed.
func startMonitor(c *record.Container, rt string) error {
	fail := func(err error) error { return &exitstatus.Error{Code: 125, Err: err} }
	self, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	root, err := filepath.Abs(cli.WardRoot())
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
	argv := findMonitor(self)
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

// newMonitorCommands are the internal verbs of the monitor protocol.
func newMonitorCommands() []*cobra.Command {
	var cfg monitor.Config
	mon := &cobra.Command{
		Use:    "container-monitor ID",
		Short:  "Watch a detached container (internal; ward-monitor does it in a smaller process)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			cfg.ID, cfg.Root = args[0], cli.WardRoot()
			if cfg.Ward == "" {
				cfg.Ward, _ = os.Executable()
			}
			return monitor.Run(cfg, monitor.NewReporter(os.NewFile(3, "report")))
		},
	}
	mon.Flags().StringVar(&cfg.Ward, "ward", "", "the ward binary")
	mon.Flags().StringVar(&cfg.Runtime, "runtime", "", "the runtime binary")
	mon.Flags().BoolVar(&cfg.Tty, "tty", false, "the container has a terminal")
	mon.Flags().StringVar(&cfg.Log, "log", "", "the container's log, where the monitor copies its output")
	mon.Flags().Int64Var(&cfg.LogMaxSize, "log-max-size", 0, "rotate the log at this size in bytes")
	mon.Flags().IntVar(&cfg.LogMaxFiles, "log-max-file", 1, "log files kept")
	mon.Flags().DurationVar(&cfg.HealthInterval, "health-interval", 0, "how often to run the container's health check")

	var runtimePath, consoleSocket string
	stdoutFD, stderrFD := -1, -1
	start := &cobra.Command{
		Use:    "container-start ID",
		Short:  "Start a detached container for its monitor, printing its init's pid (internal)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			pid, err := monitorStart(args[0], runtimePath, consoleSocket, stdoutFD, stderrFD)
			if err != nil {
				// The monitor passes the line on; ward's own message would
				// land in the monitor's log only.
				fmt.Println(monitor.ErrorLine(err))
				os.Exit(1)
			}
			fmt.Println("started", pid)
			return nil
		},
	}
	start.Flags().StringVar(&runtimePath, "runtime", "", "the runtime binary")
	start.Flags().StringVar(&consoleSocket, "console-socket", "", "where the runtime sends a terminal's master")
	start.Flags().IntVar(&stdoutFD, "stdout-fd", -1, "the inherited descriptor that is the container's stdout (the write end of the monitor's pipe)")
	start.Flags().IntVar(&stderrFD, "stderr-fd", -1, "the inherited descriptor that is the container's stderr")

	exited := &cobra.Command{
		Use:    "container-exited ID STATUS",
		Short:  "Record the exit status of a detached container its monitor reaped (internal)",
		Hidden: true,
		Args:   cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			status, err := strconv.Atoi(args[1])
			if err != nil {
				return fmt.Errorf("container-exited: status %q: %w", args[1], err)
			}
			e, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return err
			}
			restart, err := e.ExitedRestart(c.ID, status)
			if restart {
				fmt.Println("restart") // the monitor starts it again
			}
			return err
		},
	}
	health := &cobra.Command{
		Use:    "container-health ID",
		Short:  "Run a container's health check once and record it, for its monitor (internal)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			e, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return err
			}
			return e.CheckHealth(context.Background(), c.ID)
		},
	}
	return []*cobra.Command{mon, start, exited, health}
}

// monitorStart is `ward container-start`: without a terminal the
// container's process gets /dev/null as stdin and, as stdout and stderr,
// the write ends of the pipes the monitor copies to the log, inherited
// as stdoutFD and stderrFD. It never gets the log itself, which it could
// truncate or rewrite.
func monitorStart(id, runtimePath, consoleSocket string, stdoutFD, stderrFD int) (int, error) {
	e, c, err := open.Container(cli.Layout(), id)
	if err == nil && runtimePath != "" {
		e, err = open.Engine(cli.Layout(), runtimePath)
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
