// Package foreground runs a created container attached to ward's own
// terminal or stdio (`ward run` without -d): ward is the container's
// supervisor, forwards the signals it receives to the container's init,
// and keeps the output for `ward logs`, as docker keeps an attached
// container's.
package foreground

import (
	"context"
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/record"
)

// Supervise starts container c and waits for it, returning its exit
// status. interactive (-i) gives it ward's stdin; otherwise it reads
// /dev/null, unless it has a terminal. ward's own failures exit 125.
func Supervise(e *engine.Engine, c *record.Container, interactive bool) (int, error) {
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
