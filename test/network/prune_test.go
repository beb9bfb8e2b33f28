package network

import (
	"strings"
	"testing"
)

// TestNetworkPrune: network prune removes the custom networks no
// container names, bridges included, and keeps the ones in use and the
// pre-defined ones.
func TestNetworkPrune(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.must("network", "create", "unused1")
	w.must("network", "create", "inuse")
	w.must("create", "--name", "holder", "--network", "inuse", "busybox", "true")
	got := w.must("network", "prune", "-f")
	if got != "Deleted Networks:\nunused1\n\n" {
		t.Errorf("network prune printed %q", got)
	}
	names := w.must("network", "ls", "--format", "{{.Name}}")
	if strings.Contains(names, "unused1") || !strings.Contains(names, "inuse") || !strings.Contains(names, "none") {
		t.Errorf("after prune: %q", names)
	}
	if got := w.must("network", "prune", "-f"); got != "" {
		t.Errorf("a second prune printed %q", got)
	}
	w.must("rm", "holder")
	w.must("network", "prune", "-f")
	if names := w.must("network", "ls", "-q"); strings.Contains(names, "inuse") {
		t.Errorf("after the holder's removal: %q", names)
	}
}
