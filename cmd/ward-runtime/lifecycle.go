package main

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/signame"
)

// registerCreateFlags registers runc's flags of create and run, shared by
// both, on the options they set.
func registerCreateFlags(f *pflag.FlagSet, o *container.CreateOptions) {
	f.StringVarP(&o.Bundle, "bundle", "b", ".", "path to the bundle (the directory holding config.json)")
	f.StringVar(&o.PidFile, "pid-file", "", "write the container init's host PID to this file")
	f.StringVar(&o.ConsoleSocket, "console-socket", "", "unix socket to receive the pty master of a terminal container")
	f.BoolVar(&o.NoPivot, "no-pivot", false, "chroot instead of pivot_root (for a rootfs on a ramdisk)")
	f.BoolVar(&o.NoNewKeyring, "no-new-keyring", false, "keep the caller's session keyring")
	f.IntVar(&o.PreserveFDs, "preserve-fds", 0, "pass this many extra descriptors (from fd 3) to the container")
}

func newCreateCommand(g *globals) *cobra.Command {
	var o container.CreateOptions
	cmd := &cobra.Command{
		Use:   "create [flags] ID",
		Short: "Create a container whose process waits for start",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			o.Root, o.ID, o.SystemdCgroup = g.root, args[0], g.systemdCgroup
			o.Stdin, o.Stdout, o.Stderr = os.Stdin, os.Stdout, os.Stderr
			_, _, err := container.Create(o)
			return err
		},
	}
	registerCreateFlags(cmd.Flags(), &o)
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
	var o container.CreateOptions
	var detach, keep bool
	cmd := &cobra.Command{
		Use:   "run [flags] ID",
		Short: "Create and start a container, and wait for it unless --detach",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			o.Root, o.ID, o.SystemdCgroup = g.root, args[0], g.systemdCgroup
			o.Stdin, o.Stdout, o.Stderr = os.Stdin, os.Stdout, os.Stderr
			code, err := container.Run(o, detach, keep)
			if err != nil {
				return err
			}
			if code != 0 {
				return exitstatus.Silent(code)
			}
			return nil
		},
	}
	registerCreateFlags(cmd.Flags(), &o)
	cmd.Flags().BoolVarP(&detach, "detach", "d", false, "return once the container has started")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the container's state after it exits")
	cmd.Flags().Bool("no-subreaper", false, "accepted for runc compatibility")
	return cmd
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
