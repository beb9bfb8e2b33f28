package detach

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The monitor is ward-monitor when one is beside ward or on PATH, else
// ward's own container-monitor verb.
func TestMonitorCommand(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Skipf("skipped: no executable path: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(self), "ward-monitor")); err == nil {
		t.Skip("skipped: a ward-monitor is beside the test binary")
	}
	t.Setenv("PATH", t.TempDir())
	if got := MonitorCommand("/opt/ward"); !slices.Equal(got, []string{"/opt/ward", "container-monitor"}) {
		t.Errorf("without ward-monitor: %q, want ward's own verb", got)
	}
	dir := t.TempDir()
	mon := filepath.Join(dir, "ward-monitor")
	if err := os.WriteFile(mon, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if got := MonitorCommand("/opt/ward"); !slices.Equal(got, []string{mon}) {
		t.Errorf("with ward-monitor on PATH: %q, want %q", got, []string{mon})
	}
}
