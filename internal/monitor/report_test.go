package monitor

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/exitstatus"
)

type codedError struct{}

func (codedError) Error() string { return "engine said no" }
func (codedError) ExitCode() int { return 126 }

// TestReportRoundTrip: what the monitor reports is what the starting
// ward reads, exit status included.
func TestReportRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name     string
		send     func(*Reporter)
		wantOK   bool
		wantErr  *exitstatus.Error
		wantNone bool
	}{
		{"started", func(r *Reporter) { r.Started() }, true, nil, false},
		{"monitor error", func(r *Reporter) { r.Failed(exitstatus.New(127, errors.New(`exec: "nosuch": not found`))) }, true,
			exitstatus.New(127, errors.New(`exec: "nosuch": not found`)), false},
		{"error with an exit code", func(r *Reporter) { r.Failed(codedError{}) }, true, exitstatus.New(126, errors.New("engine said no")), false},
		{"plain error is 125", func(r *Reporter) { r.Failed(errors.New("two\nlines")) }, true, exitstatus.New(125, errors.New("two lines")), false},
		{"only the first line counts", func(r *Reporter) { r.Started(); r.Failed(errors.New("late")) }, true, nil, false},
		{"nothing: the monitor died", func(r *Reporter) {}, false, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rd, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			rep := NewReporter(w)
			tc.send(rep)
			if rep.f != nil {
				w.Close()
			}
			got, ok := ReadReport(rd)
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tc.wantOK)
			}
			var ge *exitstatus.Error
			errors.As(got, &ge)
			switch {
			case tc.wantErr == nil && got != nil:
				t.Errorf("got %v, want no error", got)
			case tc.wantErr != nil && (ge == nil || ge.Code != tc.wantErr.Code || ge.Error() != tc.wantErr.Error()):
				t.Errorf("got %#v, want %#v", got, tc.wantErr)
			}
		})
	}
}

// Docker's back-off: 100 ms, doubling while runs are short, at most a
// minute, back to 100 ms after a run of 10 s.
func TestRestartBackoff(t *testing.T) {
	var d time.Duration
	var got []time.Duration
	for range 12 {
		d = RestartBackoff(d, time.Second)
		got = append(got, d)
	}
	want := []time.Duration{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("delays %v, want %v ms", got, want)
		}
	}
	if d := RestartBackoff(time.Minute, 10*time.Second); d != 100*time.Millisecond {
		t.Errorf("after a 10 s run: %s, want 100ms", d)
	}
}
