// Command ward-monitor watches one detached container: `ward run -d` and
// `ward start` start it beside themselves, and it lives as long as the
// container, so it is kept small: see internal/monitor for what it does
// and its protocol with ward.
//
//	ward-monitor --root ROOT --ward WARD [--runtime RUNTIME] --log LOG [--tty] [--log-max-size BYTES --log-max-file N] [--health-interval DURATION] [--observer WARD-OBSERVE] ID
package main

import (
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/wardproject/ward/internal/monitor"
)

const usage = "usage: ward-monitor --root ROOT --ward WARD [--runtime RUNTIME] --log LOG [--tty] [--log-max-size BYTES --log-max-file N] [--health-interval DURATION] [--observer WARD-OBSERVE] ID\n"

func main() {
	// One container's supervision needs one thread running Go code.
	runtime.GOMAXPROCS(1)

	cfg, ok := parseArgs(os.Args[1:])
	if !ok {
		os.Stderr.WriteString(usage)
		os.Exit(2)
	}
	if err := monitor.Run(cfg, monitor.NewReporter(os.NewFile(3, "report"))); err != nil {
		os.Stderr.WriteString("ward-monitor: " + err.Error() + "\n")
		os.Exit(1)
	}
}

// parseArgs reads the command line by hand: package flag would bring
// reflection into a process that lives as long as its container.
func parseArgs(args []string) (monitor.Config, bool) {
	var cfg monitor.Config
	values := map[string]*string{"--root": &cfg.Root, "--ward": &cfg.Ward, "--runtime": &cfg.Runtime, "--log": &cfg.Log, "--observer": &cfg.Observer}
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "--tty":
			cfg.Tty = true
			args = args[1:]
		case (a == "--log-max-size" || a == "--log-max-file") && len(args) > 1:
			n, err := strconv.ParseInt(args[1], 10, 64)
			if err != nil || n < 0 {
				return cfg, false
			}
			if a == "--log-max-size" {
				cfg.LogMaxSize = n
			} else {
				cfg.LogMaxFiles = int(n)
			}
			args = args[2:]
		case a == "--health-interval" && len(args) > 1:
			d, err := time.ParseDuration(args[1])
			if err != nil || d <= 0 {
				return cfg, false
			}
			cfg.HealthInterval = d
			args = args[2:]
		case values[a] != nil && len(args) > 1:
			*values[a] = args[1]
			args = args[2:]
		case cfg.ID == "" && len(a) > 0 && a[0] != '-':
			cfg.ID = a
			args = args[1:]
		default:
			return cfg, false
		}
	}
	return cfg, cfg.ID != "" && cfg.Root != "" && cfg.Ward != "" && cfg.Log != ""
}
