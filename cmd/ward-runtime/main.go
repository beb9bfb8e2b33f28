// Command ward-runtime is an OCI runtime with runc's command line: Docker,
// containerd and Kubernetes can run it in runc's place.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/initproc"
	"github.com/wardproject/ward/internal/manpages"
	"github.com/wardproject/ward/internal/nsenter"
	"github.com/wardproject/ward/internal/runtimelog"
	wardversion "github.com/wardproject/ward/internal/version"
)

// globals are runc's global flags.
type globals struct {
	root          string
	logPath       string
	logFormat     string
	debug         bool
	systemdCgroup bool
	log           *runtimelog.Logger
}

func main() {
	// The container's init: on the main thread, locked by initproc's
	// init function.
	if initproc.IsInit(os.Args) {
		initproc.Run() // never returns
	}
	version := wardversion.Get().Version
	_ = nsenter.Env // the constructor in nsenter must be linked in
	g := &globals{}
	root := &cobra.Command{
		Use:           "ward-runtime",
		Short:         "An OCI container runtime with runc's command line",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			l, err := runtimelog.Open(g.logPath, g.logFormat, g.debug)
			if err != nil {
				return err
			}
			g.log = l
			container.Warn = func(msg string) {
				if l.ToFile() {
					l.Warn(msg)
				}
				fmt.Fprintln(os.Stderr, "ward-runtime: warning: "+msg)
			}
			g.log.Debugf("%v", os.Args)
			return nil
		},
	}
	root.SetVersionTemplate(fmt.Sprintf("ward-runtime version %s\nspec: %s\ngo: %s\n", version, specs.Version, runtime.Version()))
	f := root.PersistentFlags()
	f.StringVar(&g.root, "root", "/run/ward-runtime", "directory for the state of containers")
	f.StringVar(&g.logPath, "log", "", "write errors (and debug lines) to this file instead of stderr")
	f.StringVar(&g.logFormat, "log-format", "text", "log format: text or json")
	f.BoolVar(&g.debug, "debug", false, "log debug lines")
	f.BoolVar(&g.systemdCgroup, "systemd-cgroup", false, "use systemd to manage cgroups (not supported: create refuses it)")
	root.AddCommand(
		newSpecCommand(),
		newCreateCommand(g),
		newStartCommand(g),
		newRunCommand(g),
		newStateCommand(g),
		newKillCommand(g),
		newDeleteCommand(g),
		newListCommand(g),
		newExecCommand(g),
		newPauseCommand(g),
		newResumeCommand(g),
		newPsCommand(g),
		newUpdateCommand(g),
		newEventsCommand(g),
		newFeaturesCommand(),
	)
	manpages.AddVerb(root, version) // make man's generator (the mangen tag)
	err := root.Execute()
	// A status with no message (run's and exec's container status)
	// ends the process without printing anything.
	var ee *exitstatus.Error
	if errors.As(err, &ee) && ee.Err == nil {
		os.Exit(ee.Code)
	}
	if err != nil {
		if g.log != nil && g.log.ToFile() {
			g.log.Error(err.Error())
		}
		fmt.Fprintln(os.Stderr, "ward-runtime: "+err.Error())
		os.Exit(1)
	}
}
