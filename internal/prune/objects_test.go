package prune

import (
	"archive/tar"
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
)

func TestRemovedPrint(t *testing.T) {
	var out strings.Builder
	Removed{Lines: []string{"a", "b"}, Reclaimed: 2048}.Print(&out, "Deleted Volumes:", true)
	if want := "Deleted Volumes:\na\nb\n\nTotal reclaimed space: 2.048kB\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	out.Reset()
	Removed{}.Print(&out, "Deleted Networks:", false)
	if out.String() != "" {
		t.Errorf("nothing removed, no total: got %q", out.String())
	}
	out.Reset()
	Removed{}.Print(&out, "Deleted Images:", true)
	if out.String() != "Total reclaimed space: 0B\n" {
		t.Errorf("nothing removed: got %q", out.String())
	}
}

func TestParseFilters(t *testing.T) {
	f, err := ParseFilters([]string{"label=keep", "label!=tier=db", "until=1700000000"}, "label", "label!", "until")
	if err != nil {
		t.Fatal(err)
	}
	if !f.Until.Equal(time.Unix(1700000000, 0)) || !f.before(time.Unix(1600000000, 0)) || f.before(time.Unix(1800000000, 0)) {
		t.Errorf("until %v", f.Until)
	}
	if !f.labels(map[string]string{"keep": ""}) || f.labels(map[string]string{"keep": "", "tier": "db"}) || f.labels(nil) {
		t.Error("label filters")
	}
	if _, err := ParseFilters([]string{"until=1h"}, "label", "label!"); err == nil || !strings.Contains(err.Error(), "until") {
		t.Errorf("until where the kind has none: %v", err)
	}
	if _, err := ParseFilters([]string{"until=soon"}, "until"); err == nil || err.Error() != "invalid filter 'until=soon'" {
		t.Errorf("bad until: %v", err)
	}
	if f, err := ParseFilters(nil, "label"); err != nil || !f.before(time.Now()) || !f.labels(nil) {
		t.Errorf("no filters: %+v, %v", f, err)
	}
}

// Volumes prunes those no filter keeps; Networks of a fresh root has
// only built-in networks, which it keeps.
func TestVolumesAndNetworks(t *testing.T) {
	l := rootdir.Layout(filepath.Join(t.TempDir(), "root"))
	vols, err := open.Volumes(l)
	if err != nil {
		t.Fatal(err)
	}
	for name, labels := range map[string]map[string]string{"keep": {"keep": "yes"}, "go": nil} {
		if _, _, err := vols.Create(name, labels, false); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := ParseFilters([]string{"label!=keep"}, "label", "label!")
	rep, err := Volumes(l, f)
	if err != nil || len(rep.Lines) != 1 || rep.Lines[0] != "go" {
		t.Errorf("Volumes: %+v, %v", rep, err)
	}
	if _, err := vols.Get("keep"); err != nil {
		t.Errorf("the labelled volume went: %v", err)
	}
	rep, err = Networks(l)
	if err != nil || len(rep.Lines)+len(rep.Errors) != 0 {
		t.Errorf("Networks of a fresh root: %+v, %v", rep, err)
	}
}

// Images removes untagged images only, unless all; a tagged image
// created after until is kept.
func TestImages(t *testing.T) {
	l := rootdir.Layout(filepath.Join(t.TempDir(), "root"))
	s, err := open.Images(l)
	if err != nil {
		t.Fatal(err)
	}
	importOne := func(file, tag string) *image.Image {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: file, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("x"))
		tw.Close()
		opts := store.ImportOptions{}
		if tag != "" {
			t, err := image.ParseTag(tag)
			if err != nil {
				panic(err)
			}
			opts.Ref = &t
		}
		img, err := s.Import(context.Background(), &buf, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	dangling := importOne("a", "")
	tagged := importOne("b", "team/app:v1")
	rep, err := Images(l, false, Filters{})
	if err != nil || len(rep.Errors) != 0 || strings.Join(rep.Lines, ",") != "deleted: "+dangling.ID.String() {
		t.Errorf("dangling prune: %+v, %v", rep, err)
	}
	f, _ := ParseFilters([]string{"until=1h"}, "until")
	if rep, err := Images(l, true, f); err != nil || len(rep.Lines) != 0 {
		t.Errorf("-a with until=1h removed a new image: %+v, %v", rep, err)
	}
	rep, err = Images(l, true, Filters{})
	want := "untagged: team/app:v1,deleted: " + tagged.ID.String()
	if err != nil || strings.Join(rep.Lines, ",") != want || rep.Reclaimed != tagged.Size {
		t.Errorf("-a: %+v, %v; want %s", rep, err, want)
	}
}

func TestOrphanIgnoresWhatIsNoID(t *testing.T) {
	l := rootdir.Layout(filepath.Join(t.TempDir(), "root"))
	for _, what := range []string{"web", strings.Repeat("A", 64), strings.Repeat("a", 63)} {
		if found, err := Orphan(l, what); found || err != nil {
			t.Errorf("Orphan(%q) = %v, %v", what, found, err)
		}
	}
}

func TestReportPrint(t *testing.T) {
	var out strings.Builder
	Report{}.Print(&out)
	if out.String() != "Nothing to prune\n" {
		t.Errorf("empty: %q", out.String())
	}
	out.Reset()
	Report{Containers: []string{"c1"}, Cgroups: []string{"/sys/fs/cgroup/x"}, Killed: []int{42}}.Print(&out)
	want := "Deleted Containers:\nc1\n\nDeleted cgroups:\n/sys/fs/cgroup/x\n\nKilled processes left in them: [42]\n\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// Names that are no orphan's ID pass through to rm proper, unprinted.
func TestOrphansPassesTheRestOn(t *testing.T) {
	l := rootdir.Layout(filepath.Join(t.TempDir(), "root"))
	var out strings.Builder
	rest, err := Orphans(l, []string{"web", strings.Repeat("a", 63)}, &out)
	if err != nil || strings.Join(rest, " ") != "web "+strings.Repeat("a", 63) || out.String() != "" {
		t.Errorf("rest %v, err %v, printed %q", rest, err, out.String())
	}
}
