package main

import (
	"strings"
	"testing"
	"time"
)

// TestExecHelperHidesHostPaths is issue 12's ninth case: while `ward exec`
// sets up a process, a process of the container watching /proc never
// sees a command line with the host's paths (the runtime's state root,
// its log, the process file).
func TestExecHelperHidesHostPaths(t *testing.T) {
	w := newWardEnv(t)
	watcher := `while true; do for p in /proc/[0-9]*; do [ "$p" = /proc/1 ] && continue; c=$(tr "\0" " " < $p/cmdline 2>/dev/null); [ -n "$c" ] && echo "seen: $c"; done; done`
	id := strings.TrimSpace(w.must(t, "run", "-d", "busybox", "sh", "-c", watcher))
	t.Cleanup(func() { w.run(t, nil, "rm", "-f", id) })
	for range 25 {
		w.must(t, "exec", id, "true")
	}
	time.Sleep(200 * time.Millisecond)
	logs, _, _ := w.run(t, nil, "logs", id)
	if !strings.Contains(logs, "seen: ") {
		t.Skip("skipped: the watcher saw no process at all (machine too slow to catch one)")
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, w.root) || strings.Contains(line, "--root") || strings.Contains(line, "--process") {
			t.Errorf("the container saw a host command line: %s", line)
		}
	}
}
