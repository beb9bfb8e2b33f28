package engine

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/sibling"
	"github.com/wardproject/ward/internal/signame"
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

// applyService records the stop settings, the flag's over the image's,
// checking the signal before anything is made.
func applyService(c *record.Container, req ServiceRequest, img v1.Config) error {
	sig := req.StopSignal
	if sig == "" {
		sig = img.StopSignal
	}
	if sig != "" {
		// Docker's wording ("invalid"), where ward-runtime keeps runc's.
		if _, err := signame.Parse(sig); err != nil {
			if req.StopSignal != "" {
				return fmt.Errorf("--stop-signal: invalid signal %q", sig)
			}
			return fmt.Errorf("the image's STOPSIGNAL: invalid signal %q", sig)
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

// FindInit finds the binary --init mounts: docker-init beside ward, then
// docker-init on PATH (Debian's docker.io links it to tini-static), then
// Debian's tini-static. "" when there is none.
func FindInit() string {
	for _, name := range []string{"docker-init", "tini-static"} {
		if p, err := sibling.Find(name); err == nil {
			return p
		}
	}
	return ""
}
