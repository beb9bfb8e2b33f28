package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/detach"
	"github.com/wardproject/ward/internal/monitor"
	"github.com/wardproject/ward/internal/open"
)

// The internal verbs of the monitor protocol (internal/monitor draws
// it; internal/detach is ward's side): a detached container is watched
// by ward-monitor, or without one by `ward container-monitor`, the same
// code in a bigger process; the monitor runs `ward container-start`,
// `ward container-exited` and `ward container-health` for the steps that
// need the engine.

// newContainerMonitorCommand is `ward container-monitor`.
func newContainerMonitorCommand() *cobra.Command {
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
	return mon
}

// newContainerStartCommand is `ward container-start`.
func newContainerStartCommand() *cobra.Command {
	var runtimePath, consoleSocket string
	stdoutFD, stderrFD := -1, -1
	start := &cobra.Command{
		Use:    "container-start ID",
		Short:  "Start a detached container for its monitor, printing its init's pid (internal)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			pid, err := detach.StartContainer(cli.Layout(), args[0], runtimePath, consoleSocket, stdoutFD, stderrFD)
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
	return start
}

// newContainerExitedCommand is `ward container-exited`.
func newContainerExitedCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "container-exited ID STATUS",
		Short:  "Record the exit status of a detached container its monitor reaped (internal)",
		Hidden: true,
		Args:   cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			status, err := strconv.Atoi(args[1])
			if err != nil {
				return fmt.Errorf("container-exited: status %q: %w", args[1], err)
			}
			restart, err := detach.Exited(cli.Layout(), args[0], status)
			if restart {
				fmt.Println("restart") // the monitor starts it again
			}
			return err
		},
	}
}

// newContainerHealthCommand is `ward container-health`.
func newContainerHealthCommand() *cobra.Command {
	return &cobra.Command{
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
}
