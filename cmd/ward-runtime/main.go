// Command ward-runtime is an OCI runtime with runc's command line: Docker,
// containerd and Kubernetes can run it in runc's place.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/initproc"
	"github.com/wardproject/ward/internal/nsenter"
	"github.com/wardproject/ward/internal/runtimelog"
	wardversion "github.com/wardproject/ward/internal/version"
)

// version is ward's build (internal/version), shared by every binary.
var version = wardversion.Get().Version

// The container's init re-executes this binary as `ward-runtime init`. It
// must run on the main thread (credentials and capabilities are
// per-thread, and exec happens from here), so the lock is taken in an
// init function, before main.
func init() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		runtime.LockOSThread()
	}
}

// globals are runc's global flags.
type globals struct {
	root          string
	logPath       string
	logFormat     string
	debug         bool
	systemdCgroup bool
	log           *runtimelog.Logger
}

// rootHooks add what a build tag brings (manpages.go: make man's
// generator verb).
var rootHooks []func(root *cobra.Command)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		initproc.Run() // never returns
	}
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
	root.SetVersionTemplate(fmt.Sprintf("ward-runtime version %s\nspec: %s\ngo: %s\n", version, specVersion(), runtime.Version()))
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
	for _, hook := range rootHooks {
		hook(root)
	}
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
