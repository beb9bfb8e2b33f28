package engine

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"
)

func gcSettings() (percent int, limit int64) {
	percent = debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1) // a negative limit reads it
}

// holdGC turns the collector off under a soft memory limit, and
// resumeGC gives back exactly the settings it found.
func TestHoldAndResumeGC(t *testing.T) {
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(100) })
	holdGC()
	holdGC() // a second hold changes nothing
	if p, l := gcSettings(); p != -1 || l != setupMemoryLimit {
		t.Errorf("held: GOGC %d, limit %d; want -1, %d", p, l, setupMemoryLimit)
	}
	resumeGC()
	if p, l := gcSettings(); p != 150 || l != math.MaxInt64 {
		t.Errorf("resumed: GOGC %d, limit %d; want 150, no limit", p, l)
	}
	resumeGC() // nothing held: nothing changes
	if p, _ := gcSettings(); p != 150 {
		t.Errorf("a second resume set GOGC %d", p)
	}
}

// watchPidFile reports a pid file written in place or renamed into
// place (as runc writes it), not one without a pid, and ends its watch.
func TestWatchPidFile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(path string) error
	}{
		{"written", func(path string) error { return os.WriteFile(path, []byte("42"), 0o644) }},
		{"renamed", func(path string) error {
			if err := os.WriteFile(path+".tmp", []byte("42\n"), 0o644); err != nil {
				return err
			}
			return os.Rename(path+".tmp", path)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "init.pid")
			created, stop, err := watchPidFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			// An empty file of the same name is not the pid yet.
			if err := os.WriteFile(path, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			select {
			case <-created:
				t.Fatal("reported a pid file without a pid")
			case <-time.After(100 * time.Millisecond):
			}
			if err := tc.write(path); err != nil {
				t.Fatal(err)
			}
			select {
			case <-created:
			case <-time.After(10 * time.Second):
				t.Fatal("the pid file's creation was not reported")
			}
			stop() // after the watch ended by itself: nothing left to close
		})
	}
}
