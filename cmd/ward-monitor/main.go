// Command ward-monitor watches one detached container: `ward run -d` and
// `ward start` start it beside themselves, and it lives as long as the
// container, so it is kept small: see internal/monitor for what it does
// and its protocol with ward.
//
//	ward-monitor --root ROOT --ward WARD [--runtime RUNTIME] --log LOG [--tty] [--log-max-size BYTES --log-max-file N] [--health-interval DURATION] ID
package main

import (
	"os"
	"runtime"

	"github.com/wardproject/ward/internal/monitor"
)

func main() {
	// One container's supervision needs one thread running Go code.
	runtime.GOMAXPROCS(1)

	cfg, ok := monitor.ParseArgs(os.Args[1:])
	if !ok {
		os.Stderr.WriteString(monitor.Usage)
		os.Exit(2)
	}
	if err := monitor.Run(cfg, monitor.NewReporter(os.NewFile(3, "report"))); err != nil {
		os.Stderr.WriteString("ward-monitor: " + err.Error() + "\n")
		os.Exit(1)
	}
}
