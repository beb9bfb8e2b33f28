package containerview

import (
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/record"
)

func TestPorts(t *testing.T) {
	c := &record.Container{HostConfig: record.HostConfig{PortBindings: map[string][]record.PortBinding{
		"80/tcp": {{HostPort: "8080"}, {HostIp: "::1", HostPort: "8081"}},
		"53/udp": {{HostIp: "127.0.0.1", HostPort: "5353"}},
	}}}
	got, err := Ports(c, []string{"web"})
	if want := "53/udp -> 127.0.0.1:5353\n80/tcp -> 0.0.0.0:8080\n80/tcp -> [::1]:8081"; err != nil || strings.Join(got, "\n") != want {
		t.Errorf("all: %q, %v", got, err)
	}
	if got, err := Ports(c, []string{"web", "80"}); err != nil || strings.Join(got, " ") != "0.0.0.0:8080 [::1]:8081" {
		t.Errorf("80: %q, %v", got, err)
	}
	if _, err := Ports(c, []string{"web", "53"}); err == nil || err.Error() != "no public port '53/tcp' published for web" {
		t.Errorf("53 (tcp): %v", err)
	}
}
