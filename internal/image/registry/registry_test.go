package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

const user, pass = "ward", "s3cret"

// basicAuth guards a registry with HTTP basic authentication.
func basicAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerAuth guards a registry with the token flow of the distribution
// spec: a 401 names a realm, /token trades basic credentials for a token.
func bearerAuth(next http.Handler) http.Handler {
	const token = "tok-123"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
				http.Error(w, "bad credentials", http.StatusUnauthorized)
				return
			}
			json.NewEncoder(w).Encode(map[string]string{"token": token})
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="test"`, r.Host))
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// dockerConfig points DOCKER_CONFIG at a config.json with credentials for host.
func dockerConfig(t *testing.T, host string) {
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, auth)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
}

func TestPushPull(t *testing.T) {
	quiet := registry.Logger(log.New(io.Discard, "", 0))
	tests := []struct {
		name     string
		wrap     func(http.Handler) http.Handler
		keychain func(t *testing.T, host string) authn.Keychain
		wantErr  string
	}{
		{name: "anonymous", wrap: func(h http.Handler) http.Handler { return h }},
		{name: "basic from the Docker config file", wrap: basicAuth, keychain: func(t *testing.T, host string) authn.Keychain {
			dockerConfig(t, host)
			return nil // the default keychain reads DOCKER_CONFIG
		}},
		{name: "basic refused without credentials", wrap: basicAuth, keychain: func(t *testing.T, host string) authn.Keychain {
			t.Setenv("DOCKER_CONFIG", t.TempDir())
			return nil
		}, wantErr: "401"},
		{name: "bearer token from the Docker config file", wrap: bearerAuth, keychain: func(t *testing.T, host string) authn.Keychain {
			dockerConfig(t, host)
			return nil
		}},
		{name: "bearer with a wrong password", wrap: bearerAuth, keychain: func(t *testing.T, host string) authn.Keychain {
			return authn.NewMultiKeychain(staticKeychain{&authn.Basic{Username: user, Password: "wrong"}})
		}, wantErr: "401"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.wrap(registry.New(quiet)))
			defer srv.Close()
			host := strings.TrimPrefix(srv.URL, "http://")
			var o Options
			if tc.keychain != nil {
				o.Keychain = tc.keychain(t, host)
			}
			img, err := random.Image(1024, 2)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := name.ParseReference(host + "/ward/test:v1")
			if err != nil {
				t.Fatal(err)
			}
			err = Push(context.Background(), ref, img, o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Push error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := Pull(context.Background(), ref, v1.Platform{OS: "linux", Architecture: "amd64"}, o)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := img.Digest()
			if d, err := got.Digest(); err != nil || d != want {
				t.Errorf("pulled digest %s (%v), pushed %s", d, err, want)
			}
		})
	}
}

type staticKeychain struct{ a authn.Authenticator }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.a, nil }

// TestPullPicksPlatform pushes a two-platform index and pulls each.
func TestPullPicksPlatform(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	want := map[string]v1.Hash{}
	var adds []mutate.IndexAddendum
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(512, 1)
		if err != nil {
			t.Fatal(err)
		}
		want[arch], _ = img.Digest()
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	idx := mutate.AppendManifests(empty.Index, adds...)
	ref, _ := name.ParseReference(host + "/multi:v1")
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	for arch, digest := range want {
		t.Run(arch, func(t *testing.T) {
			img, err := Pull(context.Background(), ref, v1.Platform{OS: "linux", Architecture: arch}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := img.Digest(); got != digest {
				t.Errorf("pulled %s, want the %s image %s", got, arch, digest)
			}
		})
	}
}
