package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/runflow"
	"github.com/wardproject/ward/internal/runrequest"
)

// runFlags are `ward run`'s flags, spelled as docker's (ward create's and
// ward learn's too); internal/runrequest turns them into a request and
// internal/runflow runs it.
type runFlags struct {
	runrequest.Flags
}

func (f *runFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.SetInterspersed(false) // what follows the image is the container's command
	fl.BoolVar(&f.Rm, "rm", false, "remove the container when it exits")
	fl.BoolVarP(&f.Detach, "detach", "d", false, "run in the background and print the container ID")
	fl.StringVar(&f.Name, "name", "", "the container's name")
	fl.BoolVarP(&f.Options.TTY, "tty", "t", false, "allocate a terminal")
	fl.BoolVarP(&f.Options.Interactive, "interactive", "i", false, "keep stdin open")
	fl.StringVar(&f.Entrypoint, "entrypoint", "", "override the image's entrypoint")
	fl.StringArrayVarP(&f.Options.Env, "env", "e", nil, "set an environment variable (NAME=VALUE, or NAME to pass ward's own)")
	fl.StringArrayVar(&f.EnvFiles, "env-file", nil, "read environment variables from a file")
	fl.StringVarP(&f.Options.Workdir, "workdir", "w", "", "working directory inside the container")
	fl.StringVarP(&f.Options.User, "user", "u", "", "user: NAME|UID[:GROUP|GID]")
	fl.StringArrayVar(&f.Options.CapAdd, "cap-add", nil, "add a capability (or ALL)")
	fl.StringArrayVar(&f.Options.CapDrop, "cap-drop", nil, "drop a capability (or ALL)")
	fl.BoolVar(&f.Options.Privileged, "privileged", false, "give every capability and device: dangerous")
	fl.StringArrayVar(&f.Options.SecurityOpt, "security-opt", nil, "no-new-privileges[:true], seccomp=unconfined|PROFILE.json, apparmor=PROFILE, label=...")
	registerLeastPrivilege(fl, &f.Options)
	registerService(fl, &f.Service)
	fl.BoolVar(&f.Options.ReadOnly, "read-only", false, "mount the root filesystem read-only")
	fl.StringArrayVar(&f.Options.Tmpfs, "tmpfs", nil, "mount a tmpfs: DEST[:OPTIONS]")
	fl.StringArrayVarP(&f.Options.Volumes, "volume", "v", nil, "bind mount or volume: HOST:DEST or NAME:DEST [:ro|rw|nocopy], or DEST (an anonymous volume)")
	fl.StringArrayVar(&f.Mounts, "mount", nil, "mount: type=bind|volume|tmpfs,source=...,target=DEST[,readonly] (Docker's keys)")
	fl.StringVar(&f.Options.Network, "network", "", "network: bridge (default), NAME, none, host or container:NAME")
	registerNetwork(fl, &f.Net)
	fl.StringVarP(&f.Options.Hostname, "hostname", "h", "", "the container's hostname")
	fl.StringVar(&f.Options.PID, "pid", "", "PID namespace: host")
	fl.StringVar(&f.Options.IPC, "ipc", "", "IPC namespace: private or host")
	fl.StringVar(&f.Options.Userns, "userns", "", `user namespace: host, or auto[:size=N] (root inside is an unprivileged host uid; default from the config file's "userns")`)
	fl.StringVarP(&f.Options.Memory, "memory", "m", "", "memory limit (e.g. 512m)")
	fl.StringVar(&f.Options.MemorySwap, "memory-swap", "", "memory plus swap limit, -1 for unlimited")
	fl.Int64Var(&f.PidsLimit, "pids-limit", 0, "limit on the number of processes (-1 unlimited)")
	fl.StringVar(&f.Options.CPUs, "cpus", "", "number of CPUs (e.g. 1.5)")
	fl.StringArrayVar(&f.Options.Ulimits, "ulimit", nil, "resource limit: NAME=SOFT[:HARD]")
	fl.StringVar(&f.Profile, "profile", "", "apply a profile written by ward learn (flags given apply over it)")
	fl.StringVar(&f.ProfileMode, "profile-mode", "enforce", "enforce: refuse system calls outside --profile; log: let them through and report each once (stderr, inspect's .State.ProfileDenials)")
	fl.StringVar(&f.Runtime, "runtime", "", "runtime binary (default: ward-runtime beside ward, then on PATH)")
	fl.Bool("help", false, "help for run") // -h is --hostname, as in docker
	registerPolicy(fl, &f.Policy)
	registerPull(fl, &f.Pull)
}

func newRunCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [flags] IMAGE [COMMAND [ARG...]]",
		Short: "Create and run a container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if help, _ := cmd.Flags().GetBool("help"); help {
				return cmd.Help()
			}
			return runflow.Run(cmd.Context(), cli.Layout(), runflow.Command{
				Flags: &f.Flags, Args: args, Changed: cmd.Flags().Changed,
				Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(),
			})
		},
	}
	cli.LazyFlags(cmd, func() { f.register(cmd) })
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitstatus.Error{Code: 125, Err: err} })
	return cmd
}

// newCreateCommand is `ward create`: run's flags, the container made but
// not started (ward start starts it).
func newCreateCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "create [flags] IMAGE [COMMAND [ARG...]]",
		Short: "Create a container without starting it",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if help, _ := cmd.Flags().GetBool("help"); help {
				return cmd.Help()
			}
			run := runflow.Command{
				Flags: &f.Flags, Args: args, Changed: cmd.Flags().Changed,
				Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(),
			}
			if f.Policy.DryRun {
				return runflow.DryRun(cli.Layout(), run)
			}
			_, c, err := runflow.Create(cmd.Context(), cli.Layout(), run)
			if err != nil {
				return err
			}
			fmt.Println(c.ID)
			return nil
		},
	}
	cli.LazyFlags(cmd, func() {
		f.register(cmd)
		cmd.Flags().MarkHidden("detach")
	})
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitstatus.Error{Code: 125, Err: err} })
	return cmd
}
