package engine

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/record"
)

// HealthRequest is what the --health-* flags and --no-healthcheck say.
type HealthRequest struct {
	Cmd                            string // --health-cmd, run with /bin/sh -c
	Interval, Timeout, StartPeriod time.Duration
	Retries                        int
	Disable                        bool // --no-healthcheck
}

// Docker's defaults and limits.
const (
	defaultHealthTimeout = 30 * time.Second
	defaultHealthRetries = 3
	healthLogEntries     = 5
	healthOutputMax      = 4096
)

// healthConfig merges the flags over the image's HEALTHCHECK as Docker
// does: each flag given replaces that field, --no-healthcheck disables
// it. Nil when there is none.
func healthConfig(req HealthRequest, img *v1.HealthConfig) (*record.HealthConfig, error) {
	flagsGiven := req.Cmd != "" || req.Interval != 0 || req.Timeout != 0 || req.StartPeriod != 0 || req.Retries != 0
	if req.Disable && flagsGiven {
		return nil, fmt.Errorf("--no-healthcheck conflicts with --health-* options")
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"--health-interval", req.Interval}, {"--health-timeout", req.Timeout}, {"--health-start-period", req.StartPeriod}} {
		if d.v != 0 && d.v < time.Millisecond {
			return nil, fmt.Errorf("%s %s: must be at least 1ms", d.flag, d.v)
		}
	}
	if req.Retries < 0 {
		return nil, fmt.Errorf("--health-retries %d: cannot be negative", req.Retries)
	}
	var h record.HealthConfig
	if img != nil {
		h = record.HealthConfig{Test: img.Test, Interval: img.Interval, Timeout: img.Timeout, StartPeriod: img.StartPeriod, Retries: img.Retries}
	}
	if req.Disable {
		// Docker keeps the image's other fields.
		h.Test = []string{"NONE"}
		return &h, nil
	}
	if !flagsGiven && len(h.Test) == 0 {
		return nil, nil
	}
	if req.Cmd != "" {
		h.Test = []string{"CMD-SHELL", req.Cmd}
	}
	if req.Interval != 0 {
		h.Interval = req.Interval
	}
	if req.Timeout != 0 {
		h.Timeout = req.Timeout
	}
	if req.StartPeriod != 0 {
		h.StartPeriod = req.StartPeriod
	}
	if req.Retries != 0 {
		h.Retries = req.Retries
	}
	return &h, nil
}

// CheckHealth runs the container's check once, as its monitor asks, and
// records the result as Docker does: a success makes it healthy, and
// Retries failures in a row (not counting those within the start
// period) unhealthy. It records nothing when the container is no longer
// the run it was asked for.
func (e *Engine) CheckHealth(ctx context.Context, id string) error {
	c, err := e.Records.Load(id)
	if err != nil {
		return err
	}
	h := c.Config.Healthcheck
	argv := h.Command()
	if argv == nil || c.State.Status != record.StatusRunning {
		return nil
	}
	timeout := h.Timeout
	if timeout == 0 {
		timeout = defaultHealthTimeout
	}
	res := record.HealthResult{Start: time.Now().UTC()}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	var out limitedBuffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		out.ReadFrom(r)
	}()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	code, err := e.Exec(cctx, c, ExecRequest{Args: argv}, Stdio{Stdout: w, Stderr: w})
	cancel()
	res.End = time.Now().UTC()
	w.Close()
	// A check's background child may hold the pipe: read what came.
	r.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	<-read
	r.Close()
	switch {
	case cctx.Err() == context.DeadlineExceeded:
		res.ExitCode, res.Output = -1, fmt.Sprintf("Health check exceeded timeout (%s)", timeout)
	case err != nil:
		res.ExitCode, res.Output = -1, err.Error()
	default:
		res.ExitCode, res.Output = code, out.String()
	}

	now, err := e.Records.Load(id)
	if err != nil || now.State.Status != record.StatusRunning || now.State.Pid != c.State.Pid {
		return err // stopped meanwhile: the result is of no run
	}
	health := now.State.Health
	if health == nil {
		health = &record.Health{Status: "starting"}
	}
	retries := h.Retries
	if retries == 0 {
		retries = defaultHealthRetries
	}
	inStartPeriod := res.Start.Sub(now.State.StartedAt) < h.StartPeriod
	if res.ExitCode == 0 {
		health.Status, health.FailingStreak = "healthy", 0
	} else if !inStartPeriod || health.Status != "starting" {
		health.FailingStreak++
		if health.FailingStreak >= retries {
			health.Status = "unhealthy"
		}
	}
	health.Log = append(health.Log, res)
	if len(health.Log) > healthLogEntries {
		health.Log = health.Log[len(health.Log)-healthLogEntries:]
	}
	now.State.Health = health
	return e.Records.Save(now)
}

// limitedBuffer keeps the first healthOutputMax bytes of a check's
// output, as Docker does, and discards the rest without failing the
// writer.
type limitedBuffer struct{ bytes.Buffer }

// ReadFrom reads r to its end (or its deadline), keeping the first
// healthOutputMax bytes.
func (b *limitedBuffer) ReadFrom(r *os.File) {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if room := healthOutputMax - b.Len(); n > 0 && room > 0 {
			b.Write(buf[:min(n, room)])
		}
		if err != nil {
			return
		}
	}
}

// checkHealthEvery runs the container's check every interval while a
// foreground ward supervises it, as the monitor does for a detached one;
// the function it returns stops the checks and waits for one under way,
// so none is recorded over the exit.
func (e *Engine) checkHealthEvery(ctx context.Context, c *record.Container) (stop func()) {
	every := c.HealthInterval()
	if every <= 0 {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				e.CheckHealth(ctx, c.ID)
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}
