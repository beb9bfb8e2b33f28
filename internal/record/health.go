package record

import (
	"strings"
	"time"
)

// DefaultHealthInterval is Docker's interval between health checks.
const DefaultHealthInterval = 30 * time.Second

// HealthConfig is the container's health check, as Docker's inspect
// shows Config.Healthcheck (durations in nanoseconds).
type HealthConfig struct {
	// Test is ["CMD", ARGS...], ["CMD-SHELL", COMMAND] or ["NONE"].
	Test        []string      `json:",omitempty"`
	Interval    time.Duration `json:",omitempty"`
	Timeout     time.Duration `json:",omitempty"`
	StartPeriod time.Duration `json:",omitempty"`
	Retries     int           `json:",omitempty"`
}

// Health is State.Health: starting until the first check that counts,
// then healthy or unhealthy, with the last results.
type Health struct {
	Status        string // "starting", "healthy" or "unhealthy"
	FailingStreak int
	Log           []HealthResult
}

// HealthResult is one check.
type HealthResult struct {
	Start, End time.Time
	ExitCode   int
	Output     string
}

// HealthInterval is how often the container's monitor runs the check: 0
// when there is none.
func (c *Container) HealthInterval() time.Duration {
	h := c.Config.Healthcheck
	if h.Command() == nil {
		return 0
	}
	if h.Interval == 0 {
		return DefaultHealthInterval
	}
	return h.Interval
}

// ResetHealth is a start's: a container with a check starts "starting".
func (c *Container) ResetHealth() {
	c.State.Health = nil
	if c.HealthInterval() > 0 {
		c.State.Health = &Health{Status: "starting"}
	}
}

// HealthStatus is "starting", "healthy", "unhealthy" or "" (no check).
func (c *Container) HealthStatus() string {
	if c.State.Health == nil {
		return ""
	}
	return c.State.Health.Status
}

// Command is the check's argv, or nil when there is no check.
func (h *HealthConfig) Command() []string {
	if h == nil || len(h.Test) == 0 {
		return nil
	}
	switch h.Test[0] {
	case "CMD":
		return h.Test[1:]
	case "CMD-SHELL":
		return []string{"/bin/sh", "-c", strings.Join(h.Test[1:], " ")}
	}
	return nil // NONE
}
