package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/monitor"
	"github.com/wardproject/ward/internal/record"
)

// serviceFlags are run's flags about a container's life: its init and
// how it is stopped.
type serviceFlags struct {
	init        bool
	stopSignal  string
	stopTimeout int
	restart     string
	health      engine.HealthRequest
	logDriver   string
	logOpts     []string
}

func (f *serviceFlags) register(fl *pflag.FlagSet) {
	fl.BoolVar(&f.init, "init", false, "run an init (tini) as PID 1 that reaps zombies and forwards signals")
	fl.StringVar(&f.stopSignal, "stop-signal", "", "signal ward stop sends first (default: the image's STOPSIGNAL, else SIGTERM)")
	fl.StringVar(&f.restart, "restart", "no", "restart policy: no, on-failure[:N], always or unless-stopped")
	fl.StringVar(&f.health.Cmd, "health-cmd", "", "command to run to check health (with /bin/sh -c)")
	fl.DurationVar(&f.health.Interval, "health-interval", 0, "time between health checks (default 30s)")
	fl.DurationVar(&f.health.Timeout, "health-timeout", 0, "longest a health check may run (default 30s)")
	fl.DurationVar(&f.health.StartPeriod, "health-start-period", 0, "time to start before failed checks count (default 0s)")
	fl.IntVar(&f.health.Retries, "health-retries", 0, "failures in a row that make it unhealthy (default 3)")
	fl.BoolVar(&f.health.Disable, "no-healthcheck", false, "disable the image's HEALTHCHECK")
	fl.StringVar(&f.logDriver, "log-driver", "json-file", "log driver: json-file (Docker's format)")
	fl.StringArrayVar(&f.logOpts, "log-opt", nil, "log option: max-size=SIZE, max-file=N (rotation)")
	fl.IntVar(&f.stopTimeout, "stop-timeout", 10, "seconds ward stop waits before SIGKILL (-1: forever)")
}

// apply puts the flags into the request; the init binary is found here,
// once, so the spec names the file that will be mounted.
func (f *serviceFlags) apply(cmd *cobra.Command, req *engine.CreateRequest) {
	if f.init {
		req.Run.Init = true
		req.Run.InitPath = engine.FindInit()
	}
	req.Service.StopSignal = f.stopSignal
	req.Service.Restart = f.restart
	req.Service.Health = f.health
	req.Service.LogDriver, req.Service.LogOpts = f.logDriver, splitLogOpts(f.logOpts)
	if cmd.Flags().Changed("stop-timeout") {
		t := f.stopTimeout
		req.Service.StopTimeout = &t
	}
}

// splitLogOpts accepts Docker's repeated --log-opt and a comma-separated
// list in one (max-size=10m,max-file=3).
func splitLogOpts(opts []string) []string {
	var out []string
	for _, o := range opts {
		out = append(out, strings.Split(o, ",")...)
	}
	return out
}

// restartInBackground hands a foreground container whose restart policy
// asks for it to a monitor, after Docker's first back-off, as Docker's
// client returns at the first exit while the daemon restarts it.
func restartInBackground(e *engine.Engine, c *record.Container, status int) {
	restart, err := e.RestartAfterForeground(c.ID, status)
	if err != nil || !restart {
		return
	}
	time.Sleep(monitor.RestartBackoff(0, 0))
	if err := startMonitor(c, e.RuntimePath); err != nil {
		fmt.Fprintf(os.Stderr, "ward: restart container %s: %v\n", c.ShortName(), err)
	}
}
