package engine

import (
	"os"
	"testing"

	"github.com/wardproject/ward/internal/record"
)

func TestParseRestartPolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want record.RestartPolicy
		err  bool
	}{
		{in: "", want: record.RestartPolicy{Name: "no"}},
		{in: "no", want: record.RestartPolicy{Name: "no"}},
		{in: "always", want: record.RestartPolicy{Name: "always"}},
		{in: "unless-stopped", want: record.RestartPolicy{Name: "unless-stopped"}},
		{in: "on-failure", want: record.RestartPolicy{Name: "on-failure"}},
		{in: "on-failure:5", want: record.RestartPolicy{Name: "on-failure", MaximumRetryCount: 5}},
		{in: "on-failure:x", err: true},
		{in: "on-failure:-1", err: true},
		{in: "always:3", err: true},
		{in: "sometimes", err: true},
	} {
		got, err := ParseRestartPolicy(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseRestartPolicy(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestShouldRestart(t *testing.T) {
	records, err := record.OpenRecords(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Records: records}
	for _, tc := range []struct {
		name     string
		policy   record.RestartPolicy
		count    int
		status   int
		stopped  bool
		autoRm   bool
		restarts bool
	}{
		{name: "no", policy: record.RestartPolicy{Name: "no"}, status: 1},
		{name: "always after success", policy: record.RestartPolicy{Name: "always"}, restarts: true},
		{name: "always after stop", policy: record.RestartPolicy{Name: "always"}, stopped: true},
		{name: "unless-stopped", policy: record.RestartPolicy{Name: "unless-stopped"}, status: 3, restarts: true},
		{name: "unless-stopped after stop", policy: record.RestartPolicy{Name: "unless-stopped"}, stopped: true},
		{name: "on-failure after success", policy: record.RestartPolicy{Name: "on-failure"}},
		{name: "on-failure after failure", policy: record.RestartPolicy{Name: "on-failure"}, status: 1, count: 99, restarts: true},
		{name: "on-failure within its count", policy: record.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2}, status: 1, count: 1, restarts: true},
		{name: "on-failure at its count", policy: record.RestartPolicy{Name: "on-failure", MaximumRetryCount: 2}, status: 1, count: 2},
		{name: "on-failure after stop", policy: record.RestartPolicy{Name: "on-failure"}, status: 137, stopped: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &record.Container{ID: record.NewID(), RestartCount: tc.count, HostConfig: record.HostConfig{RestartPolicy: tc.policy, AutoRemove: tc.autoRm}}
			if err := os.MkdirAll(e.Records.Dir(c.ID), 0o700); err != nil {
				t.Fatal(err)
			}
			if tc.stopped {
				if err := e.MarkStopRequested(c.ID); err != nil {
					t.Fatal(err)
				}
			}
			if got := e.shouldRestart(c, tc.status); got != tc.restarts {
				t.Errorf("shouldRestart = %v, want %v", got, tc.restarts)
			}
			e.ClearStopRequested(c.ID)
			if tc.stopped && e.stopRequested(c.ID) {
				t.Errorf("the stop marker outlived ClearStopRequested")
			}
		})
	}
}
