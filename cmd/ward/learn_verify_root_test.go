package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// ward learn --verify names the path a replay was refused, as the kernel
// refused it: a command that also writes a path outside the learned
// writable ones fails on the read-only root, and one that runs a file it
// wrote to the learned (noexec) tmpfs fails on the exec; each failure
// line names that path and why.
func TestLearnVerifyNamesRefusedPath(t *testing.T) {
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	w := newWardEnv(t)
	profile := filepath.Join(t.TempDir(), "p.json")
	// chmod is learned, so that the exec below fails on the mount's
	// noexec alone.
	script := "mkdir -p /var/cache/app && echo cached > /var/cache/app/a && busybox chmod 755 /var/cache/app/a && cat /var/cache/app/a"
	_, stderr, code := w.run(t, nil, "learn", "-o", profile, "busybox", "sh", "-c", script)
	if code == 125 && strings.Contains(stderr, "learning needs") {
		t.Skipf("skipped: %s", stderr)
	}
	if code != 0 {
		t.Fatalf("ward learn: exit %d: %s", code, stderr)
	}
	// The learned command line passes.
	if _, stderr, code := w.run(t, nil, "learn", "--verify", profile, "busybox", "sh", "-c", script); code != 0 {
		t.Fatalf("learn --verify of the learned command: exit %d: %s", code, stderr)
	}
	for _, c := range []struct {
		name, script, want string
	}{
		{"a write on the read-only root", script + " && echo x > /var/cache/new-file",
			"first path refused: /var/cache/new-file (read-only file system)"},
		{"an exec on the noexec tmpfs", script + " && cat /bin/busybox > /var/cache/app/bb && busybox chmod 755 /var/cache/app/bb && /var/cache/app/bb true",
			"first path refused: /var/cache/app/bb (permission denied)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := w.run(t, nil, "learn", "--verify", profile, "busybox", "sh", "-c", c.script)
			t.Logf("%s", strings.TrimSpace(stderr))
			if code != 1 || !strings.Contains(stderr, "replay failed") || !strings.Contains(stderr, c.want) {
				t.Errorf("learn --verify: exit %d, %s; want 1 naming %q", code, stderr, c.want)
			}
		})
	}
	if left := w.leftovers(t); len(left) > 0 {
		t.Errorf("verifying left %v", left)
	}
}
