package store

import (
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/wardproject/ward/internal/image"
)

// A tag given is saved under its familiar spelling, an ID under a
// digest reference; two names of one image share it, and the archive
// written loads back with its tag.
func TestSaveRefs(t *testing.T) {
	s := newStore(t)
	img := randomImage(t, 1)
	tag, _ := image.ParseReference("busybox:1.36")
	rec, err := s.Write(ctx, img, []name.Reference{tag}, nil)
	if err != nil {
		t.Fatal(err)
	}
	refs, err := s.SaveRefs([]string{"busybox:1.36", rec.ID.String()})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for r := range refs {
		names = append(names, r.Name())
	}
	sort.Strings(names)
	if len(names) != 2 || names[0] != "index.docker.io/library/busybox:1.36" || names[1] != "ward.invalid/image@"+rec.Manifest.String() {
		t.Errorf("refs %v", names)
	}
	if _, err := s.SaveRefs([]string{"nosuch:1"}); err == nil {
		t.Error("a missing image: no error")
	}
	path := filepath.Join(t.TempDir(), "out.tar")
	if err := WriteSaveFile(refs, path); err != nil {
		t.Fatal(err)
	}
	ft, _ := name.NewTag("busybox:1.36")
	back, err := tarball.ImageFromPath(path, &ft)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := back.ConfigName(); id != rec.ID {
		t.Errorf("archive holds %s, want %s", id, rec.ID)
	}
}
