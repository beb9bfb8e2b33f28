package monitor

import (
	"strconv"
	"time"
)

// Usage is ward-monitor's command line, printed when ParseArgs refuses one.
const Usage = "usage: ward-monitor --root ROOT --ward WARD [--runtime RUNTIME] --log LOG [--tty] [--log-max-size BYTES --log-max-file N] [--health-interval DURATION] ID\n"

// ParseArgs reads ward-monitor's command line (Usage) by hand: package
// flag would bring reflection into a process that lives as long as its
// container. It reports false for a command line that is not complete
// and well formed.
func ParseArgs(args []string) (Config, bool) {
	var cfg Config
	values := map[string]*string{"--root": &cfg.Root, "--ward": &cfg.Ward, "--runtime": &cfg.Runtime, "--log": &cfg.Log}
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
