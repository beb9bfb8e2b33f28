package engine

import (
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/record"
)

func TestStopSettings(t *testing.T) {
	one, thirty, forever := 1, 30, -1
	for _, tc := range []struct {
		name    string
		req     ServiceRequest
		image   string // STOPSIGNAL
		given   *int   // stop -t
		sig     unix.Signal
		timeout time.Duration
		err     string
	}{
		{name: "defaults", sig: unix.SIGTERM, timeout: 10 * time.Second},
		{name: "image STOPSIGNAL", image: "SIGQUIT", sig: unix.SIGQUIT, timeout: 10 * time.Second},
		{name: "flag over image", req: ServiceRequest{StopSignal: "int"}, image: "SIGQUIT", sig: unix.SIGINT, timeout: 10 * time.Second},
		{name: "number", req: ServiceRequest{StopSignal: "10"}, sig: unix.SIGUSR1, timeout: 10 * time.Second},
		{name: "stop-timeout", req: ServiceRequest{StopTimeout: &thirty}, sig: unix.SIGTERM, timeout: 30 * time.Second},
		{name: "-t over stop-timeout", req: ServiceRequest{StopTimeout: &thirty}, given: &one, sig: unix.SIGTERM, timeout: time.Second},
		{name: "forever", req: ServiceRequest{StopTimeout: &forever}, sig: unix.SIGTERM, timeout: 100 * 365 * 24 * time.Hour},
		{name: "bad flag", req: ServiceRequest{StopSignal: "SIGNOPE"}, err: `--stop-signal: invalid signal "SIGNOPE"`},
		{name: "bad image", image: "NOPE", err: `the image's STOPSIGNAL: invalid signal "NOPE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c record.Container
			err := applyService(&c, tc.req, v1.Config{StopSignal: tc.image})
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.StopSignal(); got != tc.sig {
				t.Errorf("stop signal %v, want %v", got, tc.sig)
			}
			if got := c.StopTimeout(tc.given); got != tc.timeout {
				t.Errorf("stop timeout %s, want %s", got, tc.timeout)
			}
		})
	}
}
