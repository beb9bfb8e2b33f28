package profilewatch

import (
	"os"
	"path/filepath"
	"testing"
)

// The probe of the seccomp default action reads the field the runtime
// reads, and nothing else decides it.
func TestLogModeSpec(t *testing.T) {
	for spec, want := range map[string]bool{
		`{"linux":{"seccomp":{"defaultAction":"SCMP_ACT_LOG","syscalls":[]}}}`:   true,
		`{"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}}}`: false,
		`{"linux":{}}`:                          false,
		`{"process":{"args":["SCMP_ACT_LOG"]}}`: false,
		// A rule's action, not the default: the text names the action,
		// the probe decides.
		`{"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_LOG"}]}}}`: false,
		`{"linux":{"seccomp":{"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}],"defaultAction":"SCMP_ACT_LOG"}}}`: true,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(spec), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := LogModeSpec(dir)
		if got := s != nil; err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", spec, got, err, want)
		}
	}
	if _, err := LogModeSpec(t.TempDir()); err == nil {
		t.Error("a missing spec is not an error")
	}
}
