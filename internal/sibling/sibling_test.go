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

// Output returns a companion's stdout, and its one error line (without
// "ward: ") as the error when it fails.
func TestOutput(t *testing.T) {
	dir := t.TempDir()
	name := "ward-sibling-output-" + filepath.Base(dir)
	script := "#!/bin/sh\nif [ \"$1\" = ok ]; then echo \"out $2\"; exit 0; fi\necho 'ward: it failed' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+":/bin:/usr/bin")
	if out, err := Output(name, "ok", "x"); err != nil || string(out) != "out x\n" {
		t.Errorf("Output ok = %q, %v; want %q", out, err, "out x\n")
	}
	if _, err := Output(name, "fail"); err == nil || err.Error() != "it failed" {
		t.Errorf("Output fail = %v, want the error line", err)
	}
}

// Exec of a companion that is nowhere is an error naming the verb and
// the binary, and the process goes on.
func TestExecMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	name := "ward-sibling-missing-" + filepath.Base(t.TempDir())
	err := Exec(name, "check", []string{"x"})
	if err == nil || !strings.HasPrefix(err.Error(), "check: ") || !strings.Contains(err.Error(), name) {
		t.Errorf("Exec of a missing binary = %v, want an error naming check and %s", err, name)
	}
}
