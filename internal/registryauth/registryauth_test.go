package registryauth

import (
	"context"
	"errors"
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
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// basicAuthRegistry is go-containerregistry's in-memory registry behind
// a handler that demands HTTP basic auth, as a distribution registry
// with htpasswd does.
func basicAuthRegistry(t *testing.T, user, pass string) string {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestServerKey(t *testing.T) {
	for in, want := range map[string]string{
		"":                            DockerHubKey,
		"docker.io":                   DockerHubKey,
		"https://index.docker.io/v1/": DockerHubKey,
		"127.0.0.1:5000":              "127.0.0.1:5000",
		"http://127.0.0.1:5000/v2/":   "127.0.0.1:5000",
		"ghcr.io":                     "ghcr.io",
	} {
		if got := ServerKey(in); got != want {
			t.Errorf("ServerKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoginStoresDockerConfigAndKeychainUsesIt(t *testing.T) {
	host := basicAuthRegistry(t, "alice", "s3cret")
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	ctx := context.Background()

	if _, err := Login(ctx, host, "alice", "wrong", Options{}); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("login with a wrong password: %v, want ErrUnauthorized", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); !os.IsNotExist(err) {
		t.Fatalf("a refused login wrote the config (stat: %v)", err)
	}

	where, err := Login(ctx, host, "alice", "s3cret", Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.json")
	if where != cfgPath {
		t.Errorf("stored in %q, want %q", where, cfgPath)
	}
	fi, err := os.Stat(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("config mode %o, want 600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(cfgPath)
	if !strings.Contains(string(data), `"`+host+`"`) || !strings.Contains(string(data), `"auth"`) {
		t.Errorf("config does not hold docker's auths entry for %s:\n%s", host, data)
	}

	// What pull and push use: go-containerregistry's DefaultKeychain
	// reading the same file.
	ref, err := name.ParseReference(host + "/app:1")
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err == nil {
		t.Fatal("anonymous push was accepted; the registry does not check auth")
	}
	if err := remote.Write(ref, img, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		t.Fatalf("push with the stored login: %v", err)
	}
	if _, err := remote.Image(ref, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		t.Fatalf("pull with the stored login: %v", err)
	}

	found, err := Logout(host, Options{})
	if err != nil || !found {
		t.Fatalf("logout: found=%v err=%v", found, err)
	}
	if data, _ := os.ReadFile(cfgPath); strings.Contains(string(data), host) {
		t.Errorf("logout left the entry:\n%s", data)
	}
	if _, err := remote.Image(ref, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err == nil {
		t.Error("pull still authorized after logout")
	}
	found, err = Logout(host, Options{})
	if err != nil || found {
		t.Errorf("second logout: found=%v err=%v, want not found", found, err)
	}
}

// A credential helper named in credHelpers receives the secret; the
// file keeps none. The helper here is a shell script speaking the
// docker-credential-helpers protocol (store/get/erase on stdin).
func TestLoginUsesCredentialHelper(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("needs /bin/sh for the fake credential helper")
	}
	host := basicAuthRegistry(t, "bob", "pw")
	dir := t.TempDir()
	bin := t.TempDir()
	secrets := filepath.Join(t.TempDir(), "secrets")
	helper := `#!/bin/sh
case "$1" in
store) cat > "` + secrets + `" ;;
get) if [ -s "` + secrets + `" ]; then cat "` + secrets + `"; else echo "credentials not found in native keychain"; exit 1; fi ;;
erase) : > "` + secrets + `" ;;
list) echo '{}' ;;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-testhelper"), []byte(helper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DOCKER_CONFIG", dir)
	cfgPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfgPath, []byte(`{"credHelpers":{"`+host+`":"testhelper"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	where, err := Login(context.Background(), host, "bob", "pw", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if where != "docker-credential-testhelper" {
		t.Errorf("stored in %q, want the helper", where)
	}
	stored, _ := os.ReadFile(secrets)
	if !strings.Contains(string(stored), `"pw"`) {
		t.Errorf("helper got %q, want the secret", stored)
	}
	if data, _ := os.ReadFile(cfgPath); strings.Contains(string(data), `"auth"`) {
		t.Errorf("the config file holds the secret although a helper is named:\n%s", data)
	}
	ref, _ := name.ParseReference(host + "/x:1")
	img, _ := random.Image(32, 1)
	if err := remote.Write(ref, img, remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		t.Fatalf("push through the helper's credentials: %v", err)
	}
	if found, err := Logout(host, Options{}); err != nil || !found {
		t.Fatalf("logout: found=%v err=%v", found, err)
	}
	if s, _ := os.ReadFile(secrets); len(s) != 0 {
		t.Errorf("helper still holds %q after logout", s)
	}
}
