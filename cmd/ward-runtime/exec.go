package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/execprocess"
	"github.com/wardproject/ward/internal/exitstatus"
)

func newExecCommand(g *globals) *cobra.Command {
	var processFile, pidFile, consoleSocket string
	var detach bool
	var ov execprocess.Overrides
	var preserveFDs int
	cmd := &cobra.Command{
		Use:   "exec [flags] ID [COMMAND [ARG...]]",
		Short: "Run a new process in a running container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id := args[0]
			ov.Args = args[1:]
			p, err := execprocess.Of(g.root, id, processFile, ov)
			if err != nil {
				return err
			}
			o := container.ExecOptions{
				Root: g.root, ID: id, Process: p, PidFile: pidFile, ConsoleSocket: consoleSocket,
				PreserveFDs: preserveFDs, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
			}
			code, err := container.ExecAndWait(o, detach)
			if err != nil {
				return err
			}
			if code != 0 {
				return exitstatus.Silent(code)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&processFile, "process", "p", "", "a process.json (runtime-spec process) to run instead of COMMAND")
	f.BoolVarP(&detach, "detach", "d", false, "return once the process has started")
	f.StringVar(&pidFile, "pid-file", "", "write the process's host PID to this file")
	f.StringVar(&consoleSocket, "console-socket", "", "unix socket to receive the pty master")
	f.BoolVarP(&ov.Terminal, "tty", "t", false, "give the process a terminal")
	f.StringVarP(&ov.User, "user", "u", "", "UID[:GID] to run as")
	f.StringVar(&ov.Cwd, "cwd", "", "working directory in the container")
	f.StringArrayVarP(&ov.Env, "env", "e", nil, "KEY=VALUE to set (repeatable)")
	f.StringArrayVarP(&ov.Caps, "cap", "c", nil, "capability to add (repeatable)")
	f.IntSliceVarP(&ov.AdditionalGids, "additional-gids", "g", nil, "supplementary group (repeatable)")
	f.BoolVar(&ov.NoNewPrivileges, "no-new-privs", false, "set no_new_privs for the process")
	f.IntVar(&preserveFDs, "preserve-fds", 0, "pass this many extra descriptors (from fd 3)")
	f.SetInterspersed(false)
	return cmd
}
