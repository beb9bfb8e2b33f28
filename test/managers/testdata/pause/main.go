// Command pause is the pod sandbox's init for the CRI test: it holds the
// pod's namespaces open, reaps orphans, and exits on SIGINT or SIGTERM, as
// kubelet's pause image does. It is built static (CGO_ENABLED=0) into an
// image the test writes itself, since no image can be pulled.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			pid, err := syscall.Wait4(-1, nil, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
