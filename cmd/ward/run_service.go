package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/engine"
)

// serviceFlags are run's flags about a container's life: its init and
// how it is stopped.
type serviceFlags struct {
	init        bool
	stopSignal  string
	stopTimeout int
	restart     string
}

func (f *serviceFlags) register(fl *pflag.FlagSet) {
	fl.BoolVar(&f.init, "init", false, "run an init (tini) as PID 1 that reaps zombies and forwards signals")
	fl.StringVar(&f.stopSignal, "stop-signal", "", "signal ward stop sends first (default: the image's STOPSIGNAL, else SIGTERM)")
	fl.StringVar(&f.restart, "restart", "no", "restart policy: no, on-failure[:N], always or unless-stopped")
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
	if cmd.Flags().Changed("stop-timeout") {
		t := f.stopTimeout
		req.Service.StopTimeout = &t
	}
}
