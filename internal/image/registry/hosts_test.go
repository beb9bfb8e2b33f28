package registry

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestHostsIsInsecure(t *testing.T) {
	h := Hosts{Insecure: []string{"myreg:5000", "10.1.0.0/16", "plain.example"}}
	for host, want := range map[string]bool{
		"myreg:5000":         true,
		"myreg:5001":         false,
		"10.1.2.3:443":       true,
		"10.2.0.1:443":       false,
		"plain.example:8080": true,
		"other.example":      false,
	} {
		if got := h.IsInsecure(host); got != want {
			t.Errorf("IsInsecure(%q) = %v, want %v", host, got, want)
		}
	}
	if err := (Hosts{Mirrors: []string{"mirror.example"}}).Validate(); err == nil {
		t.Error("a mirror without scheme was accepted")
	}
	if err := (Hosts{Mirrors: []string{"https://mirror.example/v2/x"}}).Validate(); err == nil {
		t.Error("a mirror with a path was accepted")
	}
	if err := (Hosts{Mirrors: []string{"http://127.0.0.1:5000"}}).Validate(); err != nil {
		t.Error(err)
	}
}

// countingRegistry is an in-memory registry on loopback that counts the
// manifest requests it answers.
func countingRegistry(t *testing.T) (host string, hits *atomic.Int64) {
	t.Helper()
	hits = new(atomic.Int64)
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/manifests/") {
			hits.Add(1)
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), hits
}

// A Docker Hub image is pulled from the mirror; a dead mirror or one
// without the image passes to the next.
func TestPullUsesMirrors(t *testing.T) {
	mirror, hits := countingRegistry(t)
	empty, emptyHits := countingRegistry(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	img, err := random.Image(128, 2)
	if err != nil {
		t.Fatal(err)
	}
	// What a pull-through cache holds: Docker Hub's repository path.
	if err := remote.Write(mustRef(t, mirror+"/library/alpine:3.20"), img); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	o := Options{Hosts: Hosts{Mirrors: []string{deadURL, "http://" + empty, "http://" + mirror}}}
	got, err := Pull(context.Background(), name.MustParseReference("alpine:3.20"), v1.Platform{OS: "linux", Architecture: "amd64"}, o)
	if err != nil {
		t.Fatalf("pull through mirrors: %v", err)
	}
	if d, _ := got.Digest(); d != want {
		t.Errorf("pulled %s, want the mirror's %s", d, want)
	}
	if hits.Load() == 0 || emptyHits.Load() == 0 {
		t.Errorf("mirror hits %d, empty mirror hits %d: each should have been asked", hits.Load(), emptyHits.Load())
	}
	// By digest too.
	dref := mustRef(t, "docker.io/library/alpine@"+want.String())
	if _, err := Pull(context.Background(), dref, v1.Platform{OS: "linux", Architecture: "amd64"}, o); err != nil {
		t.Errorf("pull by digest through the mirror: %v", err)
	}
	// Mirrors are for Docker Hub only: another registry's image never
	// goes to them.
	before := hits.Load()
	other, _ := countingRegistry(t)
	if err := remote.Write(mustRef(t, other+"/library/alpine:3.20"), img); err != nil {
		t.Fatal(err)
	}
	if _, err := Pull(context.Background(), mustRef(t, other+"/library/alpine:3.20"), v1.Platform{OS: "linux", Architecture: "amd64"}, o); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != before {
		t.Error("a non-Hub image was asked of the mirror")
	}
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// An insecure registry's self-signed certificate is accepted; any other
// registry's is not.
func TestInsecureRegistryTLS(t *testing.T) {
	srv := httptest.NewTLSServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")
	img, _ := random.Image(64, 1)
	ref := mustRef(t, host+"/team/app:1")
	if err := remote.Write(ref, img, remote.WithTransport(srv.Client().Transport)); err != nil {
		t.Fatal(err)
	}
	plat := v1.Platform{OS: "linux", Architecture: "amd64"}
	if _, err := Pull(context.Background(), ref, plat, Options{}); err == nil {
		t.Fatal("a self-signed registry not named insecure was trusted")
	}
	if _, err := Pull(context.Background(), ref, plat, Options{Hosts: Hosts{Insecure: []string{"10.9.0.0/16"}}}); err == nil {
		t.Fatal("a self-signed registry outside the insecure CIDR was trusted")
	}
	got, err := Pull(context.Background(), ref, plat, Options{Hosts: Hosts{Insecure: []string{"127.0.0.0/8"}}})
	if err != nil {
		t.Fatalf("pull from an insecure registry: %v", err)
	}
	if _, err := got.Manifest(); err != nil {
		t.Fatal(err)
	}
	img2, _ := random.Image(64, 1)
	if err := Push(context.Background(), mustRef(t, host+"/team/app:2"), img2, Options{Hosts: Hosts{Insecure: []string{host}}}); err != nil {
		t.Errorf("push to an insecure registry: %v", err)
	}
}
