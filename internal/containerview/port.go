package containerview

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/record"
)

// Ports is `ward port CONTAINER [PRIVATE_PORT[/PROTO]]` of c (args are
// the command's), one line each: with a private port (tcp when no
// protocol is given) the host addresses it is published on, else every
// published port as "PORT/PROTO -> HOST:PORT".
func Ports(c *record.Container, args []string) ([]string, error) {
	ports := c.HostConfig.PortBindings
	if c.NetworkSettings != nil && len(c.NetworkSettings.Ports) > 0 {
		ports = c.NetworkSettings.Ports
	}
	host := func(b record.PortBinding) string {
		ip := b.HostIp
		if ip == "" {
			ip = "0.0.0.0"
		}
		if strings.Contains(ip, ":") {
			ip = "[" + ip + "]"
		}
		return ip + ":" + b.HostPort
	}
	var lines []string
	if len(args) == 2 {
		want := args[1]
		if !strings.Contains(want, "/") {
			want += "/tcp"
		}
		if len(ports[want]) == 0 {
			return nil, fmt.Errorf("no public port '%s' published for %s", want, args[0])
		}
		for _, b := range ports[want] {
			lines = append(lines, host(b))
		}
		return lines, nil
	}
	keys := make([]string, 0, len(ports))
	for k := range ports {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, b := range ports[k] {
			lines = append(lines, fmt.Sprintf("%s -> %s", k, host(b)))
		}
	}
	return lines, nil
}
