package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/containerlogs"
	"github.com/wardproject/ward/internal/detach"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/envvar"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/prune"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/signame"
)

func newStartCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "start CONTAINER...",
		Short: "Start created or stopped containers in the background",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			var errs []error
			for _, what := range args {
				e, c, err := open.Container(cli.Layout(), what)
				if err == nil && !c.State.Status.CanStart() {
					if c.State.Status == record.StatusRunning {
						fmt.Println(what) // docker: starting a running container is a no-op
						continue
					}
					err = fmt.Errorf("container %s is %s", what, c.State.Status)
				}
				if err == nil {
					err = detach.Start(cli.Layout(), e, c)
				}
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Println(what)
			}
			return errors.Join(errs...)
		}),
	}
}

func newStopCommand() *cobra.Command {
	var timeout int
	cmd := &cobra.Command{
		Use:   "stop [-t SECONDS] CONTAINER...",
		Short: "Stop containers: the stop signal (SIGTERM unless set), then SIGKILL after the timeout",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			return open.Each(cli.Layout(), args, os.Stdout, func(e *engine.Engine, c *record.Container) error {
				return e.Stop(context.Background(), c, c.StopTimeout(cli.IntIfChanged(cmd, "time", timeout)))
			})
		}),
	}
	cmd.Flags().IntVarP(&timeout, "time", "t", 10, "seconds to wait before killing (default: the container's --stop-timeout, else 10)")
	return cmd
}

// newRestartCommand is `ward restart`: stop with the container's stop
// signal and timeout, then start again under a new monitor.
func newRestartCommand() *cobra.Command {
	var timeout int
	cmd := &cobra.Command{
		Use:   "restart [-t SECONDS] CONTAINER...",
		Short: "Restart containers: stop as ward stop does, then start",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(cmd *cobra.Command, args []string) error {
			return open.Each(cli.Layout(), args, os.Stdout, func(e *engine.Engine, c *record.Container) error {
				if err := e.Stop(context.Background(), c, c.StopTimeout(cli.IntIfChanged(cmd, "time", timeout))); err != nil {
					return err
				}
				c, err := e.Records.Load(c.ID)
				if err != nil {
					return err
				}
				return detach.Start(cli.Layout(), e, c)
			})
		}),
	}
	cmd.Flags().IntVarP(&timeout, "time", "t", 10, "seconds to wait before killing (default: the container's --stop-timeout, else 10)")
	return cmd
}

func newKillCommand() *cobra.Command {
	var signal string
	cmd := &cobra.Command{
		Use:   "kill [-s SIGNAL] CONTAINER...",
		Short: "Send a signal to containers' main process",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			sig, err := signame.Parse(signal)
			if err != nil {
				return err
			}
			return open.Each(cli.Layout(), args, os.Stdout, func(e *engine.Engine, c *record.Container) error {
				return e.Kill(context.Background(), c, sig)
			})
		}),
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "KILL", "signal: a name (TERM, SIGHUP) or a number")
	return cmd
}

func newRmCommand() *cobra.Command {
	var o engine.RmOptions
	cmd := &cobra.Command{
		Use:   "rm [-f] CONTAINER...",
		Short: "Remove containers",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			// A full ID with traces and no record (left by a killed ward)
			// is removed as `ward system prune` would remove it.
			rest, orphanErr := prune.Orphans(cli.Layout(), args, os.Stdout)
			if len(rest) == 0 {
				return orphanErr
			}
			return errors.Join(orphanErr, open.Each(cli.Layout(), rest, os.Stdout, func(e *engine.Engine, c *record.Container) error {
				return e.Rm(c, o)
			}))
		}),
	}
	cmd.Flags().BoolVarP(&o.Force, "force", "f", false, "kill a running container first")
	cmd.Flags().BoolVarP(&o.Volumes, "volumes", "v", false, "remove the container's anonymous volumes too")
	return cmd
}

func newLogsCommand() *cobra.Command {
	var follow, timestamps bool
	var tail, since, until string
	cmd := &cobra.Command{
		Use:   "logs [-f] [--tail N] [--since T] [--until T] [-t] CONTAINER",
		Short: "Print a container's output: stdout on stdout, stderr on stderr",
		Args:  cobra.ExactArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			o, err := containerlogs.Options(tail, since, until)
			if err != nil {
				return err
			}
			e, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return err
			}
			return containerlogs.Print(e.Records, c, o, follow, timestamps, os.Stdout, os.Stderr)
		}),
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "follow the output until the container stops")
	cmd.Flags().StringVarP(&tail, "tail", "n", "all", "lines to show from the end (both streams together), or all")
	cmd.Flags().StringVar(&since, "since", "", "only lines since a time: RFC 3339, Unix time, or a duration before now (10m)")
	cmd.Flags().StringVar(&until, "until", "", "only lines before a time, same forms as --since")
	cmd.Flags().BoolVarP(&timestamps, "timestamps", "t", false, "print each line's time")
	return cmd
}

func newExecCommand() *cobra.Command {
	var req engine.ExecRequest
	cmd := &cobra.Command{
		Use:   "exec [flags] CONTAINER COMMAND [ARG...]",
		Short: "Run a command in a running container",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			e, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return exitstatus.New(1, err) // docker exec: 1 for a missing container
			}
			req.Args = args[1:]
			req.Env = envvar.Expand(req.Env)
			if req.Tty && req.Interactive && term.IsTerminal(int(os.Stdin.Fd())) {
				if old, err := term.MakeRaw(int(os.Stdin.Fd())); err == nil {
					defer term.Restore(int(os.Stdin.Fd()), old)
				}
			}
			status, err := e.Exec(context.Background(), c, req, engine.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
			if errors.Is(err, record.ErrConflict) {
				return exitstatus.New(1, err) // not running: 1, as docker exec
			}
			if err != nil {
				return err
			}
			if status != 0 {
				os.Exit(status)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.BoolVarP(&req.Tty, "tty", "t", false, "allocate a terminal")
	fl.BoolVarP(&req.Interactive, "interactive", "i", false, "keep stdin open")
	fl.StringVarP(&req.User, "user", "u", "", "user: NAME|UID[:GROUP|GID]")
	fl.StringArrayVarP(&req.Env, "env", "e", nil, "set an environment variable")
	fl.StringVarP(&req.Workdir, "workdir", "w", "", "working directory")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitstatus.Error{Code: 125, Err: err} })
	return cmd
}
