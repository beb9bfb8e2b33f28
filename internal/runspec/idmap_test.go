package runspec

import (
	"strings"
	"testing"
)

// -v's idmap mode parses (with ro), but a spec is never built with it:
// only the engine, which replaces the bind by its idmapped clone under
// --userns auto, may take it.
func TestVolumeIdmapMode(t *testing.T) {
	m, err := ParseVolume("/srv/data:/data:ro,idmap")
	if err != nil {
		t.Fatal(err)
	}
	if !m.IDMap || m.Writable {
		t.Errorf("parsed %+v, want idmap and read-only", m)
	}
	if m, err := ParseVolume("/srv/data:/data"); err != nil || m.IDMap {
		t.Errorf("plain bind: %+v, %v", m, err)
	}
	_, err = mounts(Options{Volumes: []string{"/srv/data:/data:idmap"}})
	if err == nil || !strings.Contains(err.Error(), "--userns auto") {
		t.Errorf("a spec with an idmap bind left to the runtime: %v", err)
	}
}
