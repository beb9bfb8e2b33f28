package stores

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/completion"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
)

// The sources read the root WARD_ROOT names when they run: its volumes,
// and docker's three networks on a fresh root.
func TestSources(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	t.Setenv("WARD_ROOT", root)
	vols, err := open.Volumes(rootdir.Layout(root))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"data", "db", "logs"} {
		if _, _, err := vols.Create(name, nil, false); err != nil {
			t.Fatal(err)
		}
	}
	src := Sources()
	if got := src.Complete(completion.Volume, "d", nil); strings.Join(got, " ") != "data db" {
		t.Errorf("volumes d: %q", got)
	}
	if got := src.Complete(completion.Network, "", nil); strings.Join(got, " ") != "bridge host none" {
		t.Errorf("networks: %q", got)
	}
	if got := src.Complete(completion.Image, "", nil); len(got) != 0 {
		t.Errorf("images of a fresh root: %q", got)
	}
}
