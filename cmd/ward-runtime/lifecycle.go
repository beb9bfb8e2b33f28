package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/bundle"
	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/signame"
)

// createFlags are shared by create and run.
type createFlags struct {
	bundle, pidFile, consoleSocket string
	noPivot, noNewKeyring          bool
	preserveFDs                    int
}

func (c *createFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVarP(&c.bundle, "bundle", "b", ".", "path to the bundle (the directory holding config.json)")
	f.StringVar(&c.pidFile, "pid-file", "", "write the container init's host PID to this file")
	f.StringVar(&c.consoleSocket, "console-socket", "", "unix socket to receive the pty master of a terminal container")
	f.BoolVar(&c.noPivot, "no-pivot", false, "chroot instead of pivot_root (for a rootfs on a ramdisk)")
	f.BoolVar(&c.noNewKeyring, "no-new-keyring", false, "keep the caller's session keyring")
	f.IntVar(&c.preserveFDs, "preserve-fds", 0, "pass this many extra descriptors (from fd 3) to the container")
}

func (c *createFlags) options(g *globals, id string) (container.CreateOptions, error) {
	if g.systemdCgroup {
		return container.CreateOptions{}, errors.New("--systemd-cgroup is not supported: ward-runtime manages cgroupfs directly; drop the flag (for Docker: --exec-opt native.cgroupdriver=cgroupfs)")
	}
	if c.preserveFDs < 0 {
		return container.CreateOptions{}, fmt.Errorf("--preserve-fds must not be negative")
	}
	return container.CreateOptions{
		Root: g.root, ID: id, Bundle: c.bundle, PidFile: c.pidFile,
		ConsoleSocket: c.consoleSocket, NoPivot: c.noPivot, NoNewKeyring: c.noNewKeyring,
		PreserveFDs: c.preserveFDs, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
	}, nil
}

func newCreateCommand(g *globals) *cobra.Command {
	var cf createFlags
	cmd := &cobra.Command{
		Use:   "create [flags] ID",
		Short: "Create a container whose process waits for start",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			o, err := cf.options(g, args[0])
			if err != nil {
				return err
			}
			_, _, err = container.Create(o)
			return err
		},
	}
	cf.register(cmd)
	return cmd
}

func newStartCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "start ID",
		Short: "Start the process of a created container",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return container.Start(g.root, args[0])
		},
	}
}

func newRunCommand(g *globals) *cobra.Command {
	var cf createFlags
	var detach, keep bool
	cmd := &cobra.Command{
		Use:   "run [flags] ID",
		Short: "Create and start a container, and wait for it unless --detach",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			id := args[0]
			o, err := cf.options(g, id)
			if err != nil {
				return err
			}
			// A terminal container in the foreground gets our own console.
			term, err := terminalProxyIf(!detach && cf.consoleSocket == "" && wantsTerminal(cf.bundle))
			if err != nil {
				return err
			}
			defer term.Close()
			if term != nil {
				o.ConsoleSocket, o.AllowNoConsole = term.sock.Path(), true
			}
			_, proc, err := container.Create(o)
			if err != nil {
				return err
			}
			if term != nil {
				if err := term.attach(); err != nil {
					_ = container.Delete(g.root, id, true)
					return err
				}
			}
			if err := container.Start(g.root, id); err != nil {
				_ = container.Delete(g.root, id, true)
				return err
			}
			if detach {
				return nil
			}
			code := waitForwarding(proc)
			if !keep {
				if err := container.Delete(g.root, id, true); err != nil {
					return err
				}
			}
			if code != 0 {
				return exitstatus.Silent(code)
			}
			return nil
		},
	}
	cf.register(cmd)
	cmd.Flags().BoolVarP(&detach, "detach", "d", false, "return once the container has started")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the container's state after it exits")
	cmd.Flags().Bool("no-subreaper", false, "accepted for runc compatibility")
	return cmd
}

// wantsTerminal reports whether the bundle's process asks for a terminal.
func wantsTerminal(bundleDir string) bool {
	s, err := bundle.Load(bundleDir)
	return err == nil && s.Process != nil && s.Process.Terminal
}

// exitCode is the shell's convention: the status, or 128+N for signal N.
func exitCode(ps *os.ProcessState, err error) int {
	if ps == nil {
		if err != nil {
			return 255
		}
		return 0
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

func newKillCommand(g *globals) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "kill [--all] ID [SIGNAL]",
		Short: "Send a signal (default SIGTERM) to a container's init, or to all its processes",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(_ *cobra.Command, args []string) error {
			sig := unix.SIGTERM
			if len(args) == 2 {
				s, err := signame.Parse(args[1])
				if err != nil {
					return err
				}
				sig = s
			}
			return container.Kill(g.root, args[0], sig, all)
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "signal every process of the container")
	return cmd
}

func newDeleteCommand(g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "delete [-f] ID",
		Short: "Delete a stopped (or, with --force, any) container",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return container.Delete(g.root, args[0], force)
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "kill a running container before deleting it")
	return cmd
}
