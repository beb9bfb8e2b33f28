package listing

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
)

func TestVolumes(t *testing.T) {
	l := rootdir.Layout(filepath.Join(t.TempDir(), "root"))
	vols, err := open.Volumes(l)
	if err != nil {
		t.Fatal(err)
	}
	for name, labels := range map[string]map[string]string{"data": {"tier": "db"}, "cache": nil} {
		if _, _, err := vols.Create(name, labels, false); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	if err := Volumes(l, &out, VolumeListOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "DRIVER    VOLUME NAME\nlocal     cache\nlocal     data\n"; out.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", out.String(), want)
	}
	out.Reset()
	if err := Volumes(l, &out, VolumeListOptions{Quiet: true, Filters: []string{"label=tier=db"}}); err != nil || out.String() != "data\n" {
		t.Errorf("-q --filter label=tier=db: %q, %v", out.String(), err)
	}
	if err := Volumes(l, &out, VolumeListOptions{Filters: []string{"color=red"}}); err == nil {
		t.Error("an unknown filter key: no error")
	}
}
