package volume

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestStore(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "volumes"))
	if err != nil {
		t.Fatal(err)
	}
	v, created, err := s.Create("data", map[string]string{"a": "b"}, false)
	if err != nil || !created || v.Mountpoint != s.Mountpoint("data") || v.Labels["a"] != "b" || v.Driver != "local" {
		t.Fatalf("create: %+v %v %v", v, created, err)
	}
	if _, created, err := s.Create("data", nil, false); err != nil || created {
		t.Errorf("create again: created %v, %v", created, err)
	}
	if !s.IsEmpty("data") {
		t.Error("a new volume is not empty")
	}
	os.WriteFile(filepath.Join(v.Mountpoint, "f"), []byte("12345"), 0o644)
	if s.IsEmpty("data") || s.Size("data") != 5 {
		t.Errorf("after a write: empty %v, size %d", s.IsEmpty("data"), s.Size("data"))
	}
	anon := NewAnonymousName()
	if _, _, err := s.Create(anon, nil, true); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	if got, _ := s.Get(anon); !got.Anonymous {
		t.Error("anonymous not recorded")
	}
	if err := s.Remove("data", []string{"c1"}); !errors.Is(err, ErrInUse) {
		t.Errorf("remove in use: %v", err)
	}
	if err := s.Remove("data", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("data"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get after remove: %v", err)
	}
	for _, bad := range []string{"a", "../x", "a/b", "-x", ""} {
		if _, _, err := s.Create(bad, nil, false); err == nil {
			t.Errorf("%q: created", bad)
		}
	}
	if _, err := s.Get("../volumes"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get ../: %v", err)
	}
}
