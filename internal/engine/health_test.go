package engine

import (
	"reflect"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/record"
)

func TestHealthConfig(t *testing.T) {
	image := &v1.HealthConfig{Test: []string{"CMD", "/check"}, Interval: 5 * time.Second, Retries: 4}
	for _, tc := range []struct {
		name  string
		req   HealthRequest
		image *v1.HealthConfig
		want  *record.HealthConfig
		argv  []string
		every time.Duration
		err   string
	}{
		{name: "none"},
		{name: "image's", image: image, want: &record.HealthConfig{Test: []string{"CMD", "/check"}, Interval: 5 * time.Second, Retries: 4},
			argv: []string{"/check"}, every: 5 * time.Second},
		{name: "flags over the image's, field by field", image: image, req: HealthRequest{Cmd: "curl -f localhost", Timeout: time.Second},
			want: &record.HealthConfig{Test: []string{"CMD-SHELL", "curl -f localhost"}, Interval: 5 * time.Second, Timeout: time.Second, Retries: 4},
			argv: []string{"/bin/sh", "-c", "curl -f localhost"}, every: 5 * time.Second},
		{name: "flag alone, Docker's interval", req: HealthRequest{Cmd: "true"}, want: &record.HealthConfig{Test: []string{"CMD-SHELL", "true"}},
			argv: []string{"/bin/sh", "-c", "true"}, every: 30 * time.Second},
		{name: "no-healthcheck", image: image, req: HealthRequest{Disable: true}, want: &record.HealthConfig{Test: []string{"NONE"}, Interval: 5 * time.Second, Retries: 4}},
		{name: "no-healthcheck with a flag", req: HealthRequest{Disable: true, Retries: 2}, err: "--no-healthcheck conflicts"},
		{name: "interval too short", req: HealthRequest{Cmd: "true", Interval: time.Microsecond}, err: "--health-interval 1µs: must be at least 1ms"},
		{name: "negative retries", req: HealthRequest{Cmd: "true", Retries: -1}, err: "--health-retries -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := healthConfig(tc.req, tc.image)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("config %+v, want %+v", got, tc.want)
			}
			c := &record.Container{Config: record.Config{Healthcheck: got}}
			if argv := got.Command(); !reflect.DeepEqual(argv, tc.argv) {
				t.Errorf("argv %q, want %q", argv, tc.argv)
			}
			if every := c.HealthInterval(); every != tc.every {
				t.Errorf("interval %s, want %s", every, tc.every)
			}
			c.ResetHealth()
			if want := map[bool]string{true: "starting", false: ""}[tc.every > 0]; c.HealthStatus() != want {
				t.Errorf("status after start %q, want %q", c.HealthStatus(), want)
			}
		})
	}
}
