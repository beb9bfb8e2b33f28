package main

import (
	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/runrequest"
)

// registerService declares run's flags about a container's life: its
// init, how it is stopped and restarted, its health check and its log.
func registerService(fl *pflag.FlagSet, f *runrequest.Service) {
	fl.BoolVar(&f.Init, "init", false, "run an init (tini) as PID 1 that reaps zombies and forwards signals")
	fl.StringVar(&f.StopSignal, "stop-signal", "", "signal ward stop sends first (default: the image's STOPSIGNAL, else SIGTERM)")
	fl.StringVar(&f.Restart, "restart", "no", "restart policy: no, on-failure[:N], always or unless-stopped")
	fl.StringVar(&f.Health.Cmd, "health-cmd", "", "command to run to check health (with /bin/sh -c)")
	fl.DurationVar(&f.Health.Interval, "health-interval", 0, "time between health checks (default 30s)")
	fl.DurationVar(&f.Health.Timeout, "health-timeout", 0, "longest a health check may run (default 30s)")
	fl.DurationVar(&f.Health.StartPeriod, "health-start-period", 0, "time to start before failed checks count (default 0s)")
	fl.IntVar(&f.Health.Retries, "health-retries", 0, "failures in a row that make it unhealthy (default 3)")
	fl.BoolVar(&f.Health.Disable, "no-healthcheck", false, "disable the image's HEALTHCHECK")
	fl.StringVar(&f.LogDriver, "log-driver", "json-file", "log driver: json-file (Docker's format)")
	fl.StringArrayVar(&f.LogOpts, "log-opt", nil, "log option: max-size=SIZE, max-file=N (rotation)")
	fl.IntVar(&f.StopTimeout, "stop-timeout", 10, "seconds ward stop waits before SIGKILL (-1: forever)")
}
