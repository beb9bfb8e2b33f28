package engine

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"
)

// ServiceRequest is what `ward run` asks about a container's life rather
// than its privileges: how it is stopped. None of it is in the OCI spec.
type ServiceRequest struct {
	StopSignal  string // --stop-signal; "" for the image's STOPSIGNAL, else SIGTERM
	StopTimeout *int   // --stop-timeout seconds; nil for Docker's 10
	Restart     string // --restart no|on-failure[:N]|always|unless-stopped (restart.go)
	Health      HealthRequest
	LogDriver   string   // --log-driver: json-file only
	LogOpts     []string // --log-opt max-size=...,max-file=...
}

// defaultStopTimeout is Docker's grace between the stop signal and SIGKILL.
const defaultStopTimeout = 10 * time.Second

// applyService records the stop settings, the flag's over the image's,
// checking the signal before anything is made.
func applyService(c *Container, req ServiceRequest, img v1.Config) error {
	sig := req.StopSignal
	if sig == "" {
		sig = img.StopSignal
	}
	if sig != "" {
		if _, err := ParseSignal(sig); err != nil {
			if req.StopSignal != "" {
				return fmt.Errorf("--stop-signal: %w", err)
			}
			return fmt.Errorf("the image's STOPSIGNAL: %w", err)
		}
	}
	c.Config.StopSignal = sig
	if req.StopTimeout != nil && *req.StopTimeout < -1 {
		return fmt.Errorf("--stop-timeout %d: want seconds, or -1 to wait forever", *req.StopTimeout)
	}
	c.Config.StopTimeout = req.StopTimeout
	p, err := ParseRestartPolicy(req.Restart)
	if err != nil {
		return err
	}
	if p.Restarts() && c.HostConfig.AutoRemove {
		return fmt.Errorf("conflicting options: --restart %s and --rm (a removed container cannot be restarted)", req.Restart)
	}
	c.HostConfig.RestartPolicy = p
	if c.HostConfig.LogConfig, err = ParseLogConfig(req.LogDriver, req.LogOpts); err != nil {
		return err
	}
	c.Config.Healthcheck, err = healthConfig(req.Health, img.Healthcheck)
	return err
}

// ParseSignal reads a signal as Docker does: a number, or a name with or
// without SIG, in any case.
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 65 {
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal %q", s)
}

// StopSignal is the signal `ward stop` and `ward restart` send first:
// --stop-signal, else the image's STOPSIGNAL, else SIGTERM.
func (c *Container) StopSignal() syscall.Signal {
	if sig, err := ParseSignal(c.Config.StopSignal); err == nil && c.Config.StopSignal != "" {
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
		return defaultStopTimeout
	}
	if *secs < 0 {
		return 100 * 365 * 24 * time.Hour
	}
	return time.Duration(*secs) * time.Second
}

// FindInit finds the binary --init mounts: docker-init beside ward, then
// docker-init on PATH (Debian's docker.io links it to tini-static), then
// Debian's tini-static. "" when there is none.
func FindInit() string {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "docker-init")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	for _, name := range []string{"docker-init", "tini-static"} {
		if p, err := exec.LookPath(name); err == nil {
			if abs, err := filepath.Abs(p); err == nil {
				return abs
			}
		}
	}
	return ""
}
