package sibling

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A binary beside the test binary is found before PATH; one that is
// nowhere is an error naming it.
func TestFind(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Skipf("skipped: no executable path: %v", err)
	}
	name := "ward-sibling-test-" + filepath.Base(t.TempDir())
	beside := filepath.Join(filepath.Dir(self), name)
	if err := os.WriteFile(beside, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Skipf("skipped: cannot write beside the test binary: %v", err)
	}
	defer os.Remove(beside)
	onPath := t.TempDir()
	if err := os.WriteFile(filepath.Join(onPath, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", onPath)
	if got, err := Find(name); err != nil || got != beside {
		t.Errorf("Find(%s) = %q, %v; want %q (beside first)", name, got, err, beside)
	}
	os.Remove(beside)
	if got, err := Find(name); err != nil || got != filepath.Join(onPath, name) {
		t.Errorf("Find(%s) = %q, %v; want the one on PATH", name, got, err)
	}
	if _, err := Find(name + "-missing"); err == nil || !strings.Contains(err.Error(), name+"-missing") {
		t.Errorf("Find of a missing binary = %v, want an error naming it", err)
	}
}
