package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wardproject/ward/internal/record"
)

// Row is one line of `ward ps`, with the fields `docker ps --format json`
// prints.
type Row struct {
	ID           string
	Image        string
	Command      string
	CreatedAt    string
	RunningFor   string
	Status       string
	State        record.Status
	Names        string
	Ports        string
	Mounts       string
	Labels       string
	Networks     string
	Size         string
	LocalVolumes string
}

// PsRow summarizes a container as docker ps does.
func PsRow(c *record.Container, now time.Time) Row {
	cmd := strings.Join(append([]string{c.Path}, c.Args...), " ")
	if len(cmd) > 20 {
		cmd = cmd[:19] + "…"
	}
	return Row{
		ID:           c.ID[:12],
		Image:        c.Config.Image,
		Command:      strconv.Quote(cmd),
		CreatedAt:    c.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
		RunningFor:   HumanDuration(now.Sub(c.Created)) + " ago",
		Status:       statusLine(c, now),
		State:        c.State.Status,
		Names:        c.ShortName(),
		Networks:     c.HostConfig.NetworkMode,
		Ports:        PortsText(c.HostConfig.PortBindings),
		LocalVolumes: "0",
	}
}

func statusLine(c *record.Container, now time.Time) string {
	switch c.State.Status {
	case record.StatusRunning:
		up := "Up " + HumanDuration(now.Sub(c.State.StartedAt))
		switch h := c.HealthStatus(); h {
		case "":
			return up
		case "starting":
			return up + " (health: starting)"
		default:
			return up + " (" + h + ")"
		}
	case record.StatusExited:
		if c.State.Restarting {
			return fmt.Sprintf("Restarting (%d) %s ago", c.State.ExitCode, HumanDuration(now.Sub(c.State.FinishedAt)))
		}
		return fmt.Sprintf("Exited (%d) %s ago", c.State.ExitCode, HumanDuration(now.Sub(c.State.FinishedAt)))
	}
	return "Created"
}

// HumanDuration spells a duration as docker's go-units does.
func HumanDuration(d time.Duration) string {
	s := int(d.Seconds())
	switch {
	case s < 1:
		return "Less than a second"
	case s == 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	}
	m := int(d.Minutes())
	switch {
	case m == 1:
		return "About a minute"
	case m < 60:
		return fmt.Sprintf("%d minutes", m)
	}
	h := int(d.Hours() + 0.5)
	switch {
	case h == 1:
		return "About an hour"
	case h < 48:
		return fmt.Sprintf("%d hours", h)
	case h < 24*7*2:
		return fmt.Sprintf("%d days", h/24)
	case h < 24*30*2:
		return fmt.Sprintf("%d weeks", h/24/7)
	case h < 24*365*2:
		return fmt.Sprintf("%d months", h/24/30)
	}
	return fmt.Sprintf("%d years", h/24/365)
}
