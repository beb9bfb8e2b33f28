package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
	"github.com/wardproject/ward/internal/trust/enforce"
)

// runFlags are `ward run`'s flags, spelled as docker's.
type runFlags struct {
	o          runspec.Options
	rm, detach bool
	name       string
	entrypoint string
	envFiles   []string
	mounts     []string
	pidsLimit  int64
	runtime    string
	profile    string         // --profile: a profile `ward learn` wrote
	policy     runPolicyFlags // --policy, --fail-on-vuln, --dry-run (run_policy.go)
	pull       string         // --pull (run_pull.go)
	net        networkFlags   // see run_network.go
	service    serviceFlags   // --init, --stop-signal, --stop-timeout (run_service.go)

	// --profile-mode: enforce, or log (internal/engine/profile_log.go)
	profileMode string
}

func (f *runFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.SetInterspersed(false) // what follows the image is the container's command
	fl.BoolVar(&f.rm, "rm", false, "remove the container when it exits")
	fl.BoolVarP(&f.detach, "detach", "d", false, "run in the background and print the container ID")
	fl.StringVar(&f.name, "name", "", "the container's name")
	fl.BoolVarP(&f.o.TTY, "tty", "t", false, "allocate a terminal")
	fl.BoolVarP(&f.o.Interactive, "interactive", "i", false, "keep stdin open")
	fl.StringVar(&f.entrypoint, "entrypoint", "", "override the image's entrypoint")
	fl.StringArrayVarP(&f.o.Env, "env", "e", nil, "set an environment variable (NAME=VALUE, or NAME to pass ward's own)")
	fl.StringArrayVar(&f.envFiles, "env-file", nil, "read environment variables from a file")
	fl.StringVarP(&f.o.Workdir, "workdir", "w", "", "working directory inside the container")
	fl.StringVarP(&f.o.User, "user", "u", "", "user: NAME|UID[:GROUP|GID]")
	fl.StringArrayVar(&f.o.CapAdd, "cap-add", nil, "add a capability (or ALL)")
	fl.StringArrayVar(&f.o.CapDrop, "cap-drop", nil, "drop a capability (or ALL)")
	fl.BoolVar(&f.o.Privileged, "privileged", false, "give every capability and device: dangerous")
	fl.StringArrayVar(&f.o.SecurityOpt, "security-opt", nil, "no-new-privileges[:true], seccomp=unconfined|PROFILE.json, apparmor=PROFILE, label=...")
	registerLeastPrivilege(fl, &f.o)
	f.service.register(fl)
	fl.BoolVar(&f.o.ReadOnly, "read-only", false, "mount the root filesystem read-only")
	fl.StringArrayVar(&f.o.Tmpfs, "tmpfs", nil, "mount a tmpfs: DEST[:OPTIONS]")
	fl.StringArrayVarP(&f.o.Volumes, "volume", "v", nil, "bind mount or volume: HOST:DEST or NAME:DEST [:ro|rw|nocopy], or DEST (an anonymous volume)")
	fl.StringArrayVar(&f.mounts, "mount", nil, "mount: type=bind|volume|tmpfs,source=...,target=DEST[,readonly] (Docker's keys)")
	fl.StringVar(&f.o.Network, "network", "", "network: bridge (default), NAME, none, host or container:NAME")
	f.net.register(fl)
	fl.StringVarP(&f.o.Hostname, "hostname", "h", "", "the container's hostname")
	fl.StringVar(&f.o.PID, "pid", "", "PID namespace: host")
	fl.StringVar(&f.o.IPC, "ipc", "", "IPC namespace: private or host")
	fl.StringVar(&f.o.Userns, "userns", "", `user namespace: host, or auto[:size=N] (root inside is an unprivileged host uid; default from the config file's "userns")`)
	fl.StringVarP(&f.o.Memory, "memory", "m", "", "memory limit (e.g. 512m)")
	fl.StringVar(&f.o.MemorySwap, "memory-swap", "", "memory plus swap limit, -1 for unlimited")
	fl.Int64Var(&f.pidsLimit, "pids-limit", 0, "limit on the number of processes (-1 unlimited)")
	fl.StringVar(&f.o.CPUs, "cpus", "", "number of CPUs (e.g. 1.5)")
	fl.StringArrayVar(&f.o.Ulimits, "ulimit", nil, "resource limit: NAME=SOFT[:HARD]")
	fl.StringVar(&f.profile, "profile", "", "apply a profile written by ward learn (flags given apply over it)")
	fl.StringVar(&f.profileMode, "profile-mode", "enforce", "enforce: refuse system calls outside --profile; log: let them through and report each once (stderr, inspect's .State.ProfileDenials)")
	fl.StringVar(&f.runtime, "runtime", "", "runtime binary (default: ward-runtime beside ward, then on PATH)")
	fl.Bool("help", false, "help for run") // -h is --hostname, as in docker
	f.policy.register(fl)
	f.registerPull(fl)
}

// request turns the flags into what the engine creates.
func (f *runFlags) request(cmd *cobra.Command, args []string) (engine.CreateRequest, error) {
	o := f.o
	o.Cmd = args[1:]
	if cmd.Flags().Changed("entrypoint") {
		o.Entrypoint = &f.entrypoint
	}
	if cmd.Flags().Changed("pids-limit") {
		o.PidsLimit = &f.pidsLimit
	}
	var env []string
	for _, path := range f.envFiles {
		vars, err := readEnvFile(path)
		if err == nil {
			err = runspec.CheckEnv(vars, "--env-file "+path)
		}
		if err != nil {
			return engine.CreateRequest{}, err
		}
		env = append(env, vars...)
	}
	if err := runspec.CheckEnv(o.Env, "-e"); err != nil {
		return engine.CreateRequest{}, err
	}
	o.Env = expandEnv(append(env, o.Env...))
	for _, m := range f.mounts {
		if !engine.IsBindMount(m) {
			o.Mounts = append(o.Mounts, m) // volumes (engine) and tmpfs (runspec)
			continue
		}
		v, err := engine.MountToVolume(m)
		if err != nil {
			return engine.CreateRequest{}, err
		}
		o.Volumes = append(o.Volumes, v)
	}
	if f.profile != "" {
		p, err := learnprofile.Read(f.profile)
		if err != nil {
			return engine.CreateRequest{}, err
		}
		o.Profile = p
	}
	if cmd.Flags().Changed("profile-mode") {
		o.ProfileMode = f.profileMode
	}
	if !cmd.Flags().Changed("userns") {
		cfg, err := engineconfig.Read()
		if err != nil {
			return engine.CreateRequest{}, err
		}
		o.Userns = cfg.Userns
	}
	req := engine.CreateRequest{Name: f.name, Image: args[0], Run: o, AutoRemove: f.rm}
	f.service.apply(cmd, &req)
	return req, f.net.apply(&req)
}

// expandEnv gives a bare NAME ward's own value, as docker's client does,
// and drops it when ward has none.
func expandEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.Contains(kv, "=") {
			out = append(out, kv)
		} else if v, ok := os.LookupEnv(kv); ok {
			out = append(out, kv+"="+v)
		}
	}
	return out
}

// readEnvFile reads docker's env-file format: NAME=VALUE or NAME lines,
// # comments and blank lines skipped.
func readEnvFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--env-file: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--env-file %s: %w", path, err)
	}
	return out, nil
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
			return runContainer(cmd, &f, args)
		},
	}
	f.register(cmd)
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
			if f.policy.dryRun {
				return f.policy.printDryRun(cmd, &f, args)
			}
			_, c, err := createContainer(cmd, &f, args)
			if err != nil {
				return err
			}
			fmt.Println(c.ID)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().MarkHidden("detach")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitstatus.Error{Code: 125, Err: err} })
	return cmd
}

// createContainer turns the flags into a container record, bundle and
// rootfs; any failure is ward's own (exit 125).
func createContainer(cmd *cobra.Command, f *runFlags, args []string) (*engine.Engine, *record.Container, error) {
	fail := func(err error) (*engine.Engine, *record.Container, error) {
		return nil, nil, &exitstatus.Error{Code: 125, Err: err}
	}
	req, err := f.request(cmd, args)
	if err != nil {
		return fail(err)
	}
	if err := ensureImage(cmd.Context(), f.pull, req.Image, cmd.ErrOrStderr()); err != nil {
		return fail(err)
	}
	if err := enforce.Enforce(cli.Layout(), req.Image, f.policy.name()); err != nil {
		return fail(err)
	}
	if err := f.policy.enforce(req, cmd.ErrOrStderr()); err != nil {
		return fail(err)
	}
	rt, err := engineconfig.Runtime(f.runtime)
	if err != nil {
		return fail(err)
	}
	e, err := open.Engine(cli.Layout(), rt)
	if err != nil {
		return fail(err)
	}
	c, err := e.Create(req)
	if err != nil {
		return fail(err)
	}
	return e, c, nil
}

func runContainer(cmd *cobra.Command, f *runFlags, args []string) error {
	if f.policy.dryRun {
		return f.policy.printDryRun(cmd, f, args)
	}
	e, c, err := createContainer(cmd, f, args)
	if err != nil {
		return err
	}
	if f.detach {
		if err := startMonitor(c, e.RuntimePath); err != nil {
			if c.HostConfig.AutoRemove {
				e.Remove(c)
			}
			return err
		}
		fmt.Println(c.ID)
		return nil
	}
	status, err := superviseForeground(e, c, f.o.Interactive)
	var rerr *ociruntime.Error
	var ee *exitstatus.Error
	if errors.As(err, &rerr) && errors.As(err, &ee) {
		// The runtime wrote its message to its stderr, which is ward's:
		// print it once.
		os.Exit(ee.Code)
	}
	if err != nil {
		return err
	}
	restartInBackground(e, c, status) // --restart: run_service.go
	if status != 0 {
		os.Exit(status) // the container's own status, without a message
	}
	return nil
}

// superviseForeground runs a container attached to ward's terminal or
// stdio, forwarding the signals ward receives to the container's init.
func superviseForeground(e *engine.Engine, c *record.Container, interactive bool) (int, error) {
	if err := engine.SetSubreaper(); err != nil {
		return 0, &exitstatus.Error{Code: 125, Err: err}
	}
	stdio := engine.Stdio{Stdout: os.Stdout, Stderr: os.Stderr, Notices: os.Stderr}
	if interactive {
		stdio.Stdin = os.Stdin
	} else if !c.Config.Tty {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return 0, &exitstatus.Error{Code: 125, Err: err}
		}
		defer null.Close()
		stdio.Stdin = null
	}
	if c.Config.Tty && interactive && term.IsTerminal(int(os.Stdin.Fd())) {
		if old, err := term.MakeRaw(int(os.Stdin.Fd())); err == nil {
			defer term.Restore(int(os.Stdin.Fd()), old)
		}
	}
	if !c.HostConfig.AutoRemove {
		// Kept for `ward logs`, as docker keeps an attached container's output.
		log, err := engine.OpenLog(c)
		if err != nil {
			return 0, &exitstatus.Error{Code: 125, Err: err}
		}
		defer log.Close()
		stdio.Log, stdio.LogErr = log.Out, log.Err
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2)
	defer signal.Stop(sigs)
	pidc := make(chan int, 1)
	go func() {
		pid := <-pidc
		for s := range sigs {
			unix.Kill(pid, s.(unix.Signal))
		}
	}()
	return e.Supervise(context.Background(), c.ID, stdio, func(pid int) { pidc <- pid })
}
