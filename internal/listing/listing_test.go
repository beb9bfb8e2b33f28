package listing

import (
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/record"
)

func TestContainerRow(t *testing.T) {
	now := time.Now()
	c := &record.Container{
		ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Name: "/web",
		Path: "sh", Args: []string{"-c", "echo hello world; sleep 1000"}, Created: now.Add(-time.Minute),
		State:  record.State{Status: record.StatusRunning, Paused: true, StartedAt: now.Add(-time.Minute)},
		Config: record.Config{Image: "busybox", Labels: map[string]string{"b": "2", "a": "1"}},
		Mounts: []record.MountPoint{{Type: "volume", Name: "data", Source: "/r/volumes/data/_data", Destination: "/data"},
			{Type: "bind", Source: "/a/very/long/host/path", Destination: "/x"}},
		HostConfig: record.HostConfig{NetworkMode: "none"},
	}
	r := NewContainerRow(c, RowOptions{Now: now})
	if r.ID != c.ID[:12] || r.Command != `"sh -c 'echo hello w…"` || r.State != "paused" || r.Labels != "a=1,b=2" ||
		r.Mounts != "data,/a/very/long/h…" || r.Networks != "none" || r.Label("b") != "2" {
		t.Errorf("row: %+v", r)
	}
	if full := NewContainerRow(c, RowOptions{Now: now, NoTrunc: true}); full.ID != c.ID || full.Command != `"sh -c 'echo hello world; sleep 1000'"` {
		t.Errorf("--no-trunc: %+v", full)
	}
	args, _ := filter.Parse([]string{"status=paused", "volume=/data", "name=^/we"}, ContainerFilters...)
	f, err := NewContainerFilter(args, nil, func(string) (string, error) { return "", nil })
	if err != nil || !f.Match(c) || !f.ImpliesAll() {
		t.Errorf("filters: %v", err)
	}
	args, _ = filter.Parse([]string{"status=running"}, ContainerFilters...)
	if f, _ := NewContainerFilter(args, nil, nil); f.Match(c) {
		t.Error("a paused container matched status=running")
	}
}

func TestImageRows(t *testing.T) {
	img := &image.Image{ID: v1.Hash{Algorithm: "sha256", Hex: "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"},
		Size: 1234567, RepoTags: []string{"docker.io/library/busybox:latest", "example.com/team/app:v1"},
		RepoDigests: []string{"example.com/team/app@sha256:feed"}, Created: time.Now().Add(-50 * time.Hour)}
	rows := ImageRows(img, false, time.Now(), nil)
	if len(rows) != 2 || rows[0].Repository != "busybox" || rows[0].Tag != "latest" || rows[0].ID != "abcdef012345" ||
		rows[0].Size != "1.23MB" || rows[0].CreatedSince != "2 days ago" || rows[1].Digest != "sha256:feed" || rows[0].Digest != "<none>" {
		t.Errorf("rows: %+v", rows)
	}
	args, _ := filter.Parse([]string{"reference=exam*/*/*"}, ImageFilters...)
	f, err := NewImageFilter(args, nil)
	if err != nil || !f.Match(img, nil) || f.KeepTag(img.RepoTags[0]) || !f.KeepTag(img.RepoTags[1]) {
		t.Errorf("reference filter: %v", err)
	}
	dangling := &image.Image{ID: img.ID}
	if rows := ImageRows(dangling, true, time.Now(), nil); len(rows) != 1 || rows[0].Repository != "<none>" || rows[0].ID != img.ID.String() {
		t.Errorf("a dangling image: %+v", rows)
	}
}
