package record

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/signame"
)

// DefaultStopTimeout is how long `ward stop` waits by default, as Docker.
const DefaultStopTimeout = 10 * time.Second

// RestartPolicy is --restart, as Docker's inspect shows it.
type RestartPolicy struct {
	Name              string // "no", "on-failure", "always" or "unless-stopped"
	MaximumRetryCount int    // on-failure's :N; 0 is no limit
}

// Restarts tells whether the policy restarts anything at all.
func (p RestartPolicy) Restarts() bool { return p.Name != "" && p.Name != "no" }

// StopSignal is the signal `ward stop` and `ward restart` send first:
// --stop-signal, else the image's STOPSIGNAL, else SIGTERM.
func (c *Container) StopSignal() syscall.Signal {
	if sig, err := signame.Parse(c.Config.StopSignal); err == nil && c.Config.StopSignal != "" {
		return sig
	}
	return unix.SIGTERM
}

// StopTimeout is how long `ward stop` waits after the stop signal: the
// -t given (when given is non-nil), else --stop-timeout, else 10 seconds.
// A negative value waits forever, as Docker's -1.
func (c *Container) StopTimeout(given *int) time.Duration {
	secs := given
	if secs == nil {
		secs = c.Config.StopTimeout
	}
	if secs == nil {
		return DefaultStopTimeout
	}
	if *secs < 0 {
		return 100 * 365 * 24 * time.Hour
	}
	return time.Duration(*secs) * time.Second
}
