package pull

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
)

// An image on a registry on loopback is pulled into the store under its
// tag and its digest, with Docker's Digest and Status lines; a bad
// platform or a missing image is an error and stores nothing.
func TestImage(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	what := strings.TrimPrefix(srv.URL, "http://") + "/team/box:v1"
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(what)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	digest, _ := img.Digest()
	l := rootdir.Layout(filepath.Join(t.TempDir(), "root"))

	if _, err := Image(context.Background(), l, what, "linux/amd64/v8/x", nil, nil); err == nil || !strings.Contains(err.Error(), "--platform") {
		t.Errorf("bad platform: %v", err)
	}
	if _, err := Image(context.Background(), l, strings.TrimSuffix(what, "v1")+"absent", "", nil, nil); err == nil {
		t.Error("pull of a missing tag: no error")
	}
	var progress, status strings.Builder
	got, err := Image(context.Background(), l, what, "", &progress, &status)
	if err != nil {
		t.Fatal(err)
	}
	if got != what {
		t.Errorf("pulled %q, want %q", got, what)
	}
	if want := "Digest: " + digest.String() + "\nStatus: Downloaded image for " + what + "\n"; status.String() != want {
		t.Errorf("status %q, want %q", status.String(), want)
	}
	s, err := open.Images(l)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Get(what)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.RepoTags) != 1 || len(rec.RepoDigests) != 1 || !strings.HasSuffix(rec.RepoDigests[0], digest.String()) {
		t.Errorf("stored tags %v digests %v", rec.RepoTags, rec.RepoDigests)
	}
}
