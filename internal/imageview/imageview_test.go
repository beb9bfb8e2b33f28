package imageview

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/image"
)

func TestNamed(t *testing.T) {
	img := &image.Image{RepoTags: []string{"docker.io/library/busybox:latest", "registry.example/team/app:v1"}}
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"busybox"}, true},
		{[]string{"busybox:latest"}, true},
		{[]string{"busybox:v1"}, false},
		{[]string{"registry.example/team/app"}, true},
		{[]string{"registry.example/team/app:v1"}, true},
		{[]string{"app"}, false},
	} {
		if got := named(img, tc.args); got != tc.want {
			t.Errorf("named(%v) = %v, want %v", tc.args, got, tc.want)
		}
	}
	if named(&image.Image{}, []string{"busybox"}) {
		t.Error("an untagged image matched a repository")
	}
}

// Of gives docker's field names and familiar references; the comment
// is the last history entry's.
func TestOf(t *testing.T) {
	id := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("a", 64)}
	diff := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("b", 64)}
	img := &image.Image{ID: id, RepoTags: []string{"docker.io/library/busybox:latest"}, Size: 42}
	cfg := &v1.ConfigFile{
		Architecture: "amd64", OS: "linux", Author: "me",
		Created: v1.Time{Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		Config:  v1.Config{User: "1000", Cmd: []string{"sh"}},
		RootFS:  v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{diff}},
		History: []v1.History{{Comment: "first"}, {Comment: "imported"}},
	}
	got := Of(img, cfg)
	if got.ID != id.String() || len(got.RepoTags) != 1 || got.RepoTags[0] != "busybox:latest" || got.RepoDigests == nil ||
		got.Comment != "imported" || got.Created != "2024-01-02T03:04:05Z" || got.Config.User != "1000" ||
		len(got.RootFS.Layers) != 1 || got.RootFS.Layers[0] != diff.String() || got.Size != 42 {
		t.Errorf("Of = %+v", got)
	}
	data, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"Id":`, `"RepoTags":`, `"RepoDigests":[]`, `"Os":"linux"`, `"Config":{"User":"1000"`, `"RootFS":{"Type":"layers"`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON %s lacks %s", data, key)
		}
	}
	for _, key := range []string{`"Variant"`, `"Trust"`, `"StopSignal"`, `"ExposedPorts"`} {
		if strings.Contains(string(data), key) {
			t.Errorf("JSON %s has the empty %s", data, key)
		}
	}
}
