package containerworkload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/runspec"
	"github.com/wardproject/ward/internal/workload"
)

// A preview resolves --user against the image's layers as a real create
// resolves it against the mounted rootfs, and makes nothing: no record,
// snapshot, bundle or network files.
func TestPreviewMakesNothing(t *testing.T) {
	e := previewEngine(t)
	for _, tc := range []struct {
		user     string
		uid, gid uint32
		groups   []uint32
	}{
		{"toor", 0, 0, []uint32{0}},
		{"toor:1000", 0, 1000, []uint32{1000}},
		{"app", 1000, 1000, []uint32{1000, 10, 50}},
		{"app:staff", 1000, 50, []uint32{50}},
		{"1000:0", 1000, 0, []uint32{0}},
		{"4242", 4242, 0, []uint32{0}},
	} {
		p, err := e.Preview(engine.CreateRequest{Image: testImage, Run: runspec.Options{User: tc.user, Network: "none", Host: fixedHost()}})
		if err != nil {
			t.Fatalf("--user %s: %v", tc.user, err)
		}
		u := p.Spec.Process.User
		if u.UID != tc.uid || u.GID != tc.gid || len(u.AdditionalGids) != len(tc.groups) {
			t.Errorf("--user %s: %+v, want %d:%d %v", tc.user, u, tc.uid, tc.gid, tc.groups)
		}
		w, err := FromPreview(p, Image{})
		if err != nil {
			t.Fatal(err)
		}
		if w.User.IsRoot() != (tc.uid == 0) || w.Kind != workload.KindOCI || w.FixKind != workload.KindInspect {
			t.Errorf("--user %s: judged %+v, kind %s/%s", tc.user, w.User, w.Kind, w.FixKind)
		}
	}
	if _, err := e.Preview(engine.CreateRequest{Image: testImage, Run: runspec.Options{User: "nobody", Host: fixedHost()}}); err == nil || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("unknown user: %v", err)
	}
	entries, err := os.ReadDir(e.Root)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range entries {
		if de.Name() == "images" {
			continue
		}
		if sub, _ := os.ReadDir(filepath.Join(e.Root, de.Name())); len(sub) > 0 || de.Name() != "containers" {
			t.Errorf("a preview left %s (%d entries)", de.Name(), len(sub))
		}
	}
}
