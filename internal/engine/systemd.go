package engine

import (
	"strconv"
	"strings"

	"github.com/wardproject/ward/internal/record"
)

// SystemdUnit writes a systemd service that starts the container at
// boot and stops it with its own stop signal and timeout, as `podman
// generate systemd` does: ward is the program, root its --root. Restarts
// stay the monitor's (the container's --restart); the unit only starts
// and stops it.
func SystemdUnit(c *record.Container, ward, root string) string {
	name := c.ShortName()
	timeout := int(c.StopTimeout(nil).Seconds())
	q := func(s string) string { return systemdQuote(s) }
	var b strings.Builder
	b.WriteString("# container-" + name + ".service, written by `ward generate systemd " + name + "`\n")
	b.WriteString("[Unit]\n")
	b.WriteString("Description=ward container " + name + "\n")
	b.WriteString("Wants=network-online.target\nAfter=network-online.target\n\n")
	b.WriteString("[Service]\n")
	b.WriteString("Type=oneshot\nRemainAfterExit=yes\n")
	b.WriteString("ExecStart=" + q(ward) + " --root " + q(root) + " start " + q(name) + "\n")
	b.WriteString("ExecStop=" + q(ward) + " --root " + q(root) + " stop -t " + strconv.Itoa(timeout) + " " + q(name) + "\n")
	// The stop's own timeout, and time for the monitor to record the end.
	b.WriteString("TimeoutStopSec=" + strconv.Itoa(timeout+20) + "\n\n")
	b.WriteString("[Install]\nWantedBy=multi-user.target\n")
	return b.String()
}

// systemdQuote quotes a word for an Exec line when it needs it.
func systemdQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\"'\\$%;") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `$$`, `%`, `%%`)
	return `"` + r.Replace(s) + `"`
}
