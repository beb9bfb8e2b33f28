package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/envvar"
	"github.com/wardproject/ward/internal/exitstatus"
)

func newExecCommand(g *globals) *cobra.Command {
	var processFile, pidFile, consoleSocket, user, cwd string
	var detach, tty, noNewPrivs bool
	var env, caps []string
	var gids []int
	var preserveFDs int
	cmd := &cobra.Command{
		Use:   "exec [flags] ID [COMMAND [ARG...]]",
		Short: "Run a new process in a running container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id := args[0]
			var p *specs.Process
			if processFile != "" {
				data, err := os.ReadFile(processFile)
				if err != nil {
					return fmt.Errorf("read process file: %w", err)
				}
				p = &specs.Process{}
				if err := json.Unmarshal(data, p); err != nil {
					return fmt.Errorf("parse process file %s: %w", processFile, err)
				}
			} else {
				st, err := container.Load(g.root, id)
				if err != nil {
					return err
				}
				spec, err := st.Spec()
				if err != nil {
					return err
				}
				p = spec.Process
				p.Args = args[1:]
				p.Terminal = tty
				p.ConsoleSize = nil
				p.Env = envvar.Merge(p.Env, env)
				if cwd != "" {
					p.Cwd = cwd
				}
				if user != "" {
					u, err := parseUser(user)
					if err != nil {
						return err
					}
					p.User = u
				}
				for _, g := range gids {
					p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g))
				}
				if len(caps) > 0 {
					if p.Capabilities == nil {
						p.Capabilities = &specs.LinuxCapabilities{}
					}
					c := p.Capabilities
					c.Bounding = append(c.Bounding, caps...)
					c.Effective = append(c.Effective, caps...)
					c.Permitted = append(c.Permitted, caps...)
					c.Inheritable = append(c.Inheritable, caps...)
					c.Ambient = append(c.Ambient, caps...)
				}
				if noNewPrivs {
					p.NoNewPrivileges = true
				}
			}
			o := container.ExecOptions{
				Root: g.root, ID: id, Process: p, PidFile: pidFile, ConsoleSocket: consoleSocket,
				PreserveFDs: preserveFDs, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
			}
			term, err := terminalProxyIf(p.Terminal && consoleSocket == "" && !detach)
			if err != nil {
				return err
			}
			defer term.Close()
			if term != nil {
				o.ConsoleSocket = term.sock.Path()
			}
			proc, err := container.Exec(o)
			if err != nil {
				return err
			}
			if detach {
				return nil
			}
			if term != nil {
				if err := term.attach(); err != nil {
					return err
				}
			}
			if code := waitForwarding(proc); code != 0 {
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
	f.BoolVarP(&tty, "tty", "t", false, "give the process a terminal")
	f.StringVarP(&user, "user", "u", "", "UID[:GID] to run as")
	f.StringVar(&cwd, "cwd", "", "working directory in the container")
	f.StringArrayVarP(&env, "env", "e", nil, "KEY=VALUE to set (repeatable)")
	f.StringArrayVarP(&caps, "cap", "c", nil, "capability to add (repeatable)")
	f.IntSliceVarP(&gids, "additional-gids", "g", nil, "supplementary group (repeatable)")
	f.BoolVar(&noNewPrivs, "no-new-privs", false, "set no_new_privs for the process")
	f.IntVar(&preserveFDs, "preserve-fds", 0, "pass this many extra descriptors (from fd 3)")
	f.SetInterspersed(false)
	return cmd
}

func parseUser(s string) (specs.User, error) {
	uidS, gidS, hasGid := strings.Cut(s, ":")
	uid, err := strconv.ParseUint(uidS, 10, 32)
	if err != nil {
		return specs.User{}, fmt.Errorf("invalid --user %q: want numeric UID[:GID]", s)
	}
	u := specs.User{UID: uint32(uid)}
	if hasGid {
		gid, err := strconv.ParseUint(gidS, 10, 32)
		if err != nil {
			return specs.User{}, fmt.Errorf("invalid --user %q: want numeric UID[:GID]", s)
		}
		u.GID = uint32(gid)
	}
	return u, nil
}
