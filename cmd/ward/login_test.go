package main

import (
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

// TestLoginLogoutCLI: ward login against a loopback registry with basic
// auth writes Docker's config; ward pull then uses it; ward logout
// removes it. Errors exit 1, as docker's.
func TestLoginLogoutCLI(t *testing.T) {
	w := &wardEnv{bin: filepath.Join(sharedBinaries(t), "ward"), root: filepath.Join(t.TempDir(), "root")}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "pw" {
			rw.Header().Set("WWW-Authenticate", `Basic realm="t"`)
			http.Error(rw, "unauthorized", http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(rw, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	cfgDir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", cfgDir)
	t.Setenv("WARD_CONFIG", filepath.Join(t.TempDir(), "absent.json"))

	ref := host + "/team/app:1"
	img, _ := random.Image(64, 1)
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, img, remote.WithAuth(&basic{"alice", "pw"})); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := w.run(t, nil, "pull", ref); code == 0 {
		t.Fatalf("anonymous pull succeeded: %q", errOut)
	}
	if _, errOut, code := w.run(t, strings.NewReader("nope\n"), "login", "-u", "alice", "--password-stdin", host); code != 1 || !strings.Contains(errOut, "unauthorized") {
		t.Errorf("login with a wrong password: exit %d, %q", code, errOut)
	}
	out, errOut, code := w.run(t, strings.NewReader("pw\n"), "login", "-u", "alice", "--password-stdin", host)
	if code != 0 || out != "Login Succeeded\n" {
		t.Fatalf("login: exit %d, %q, %q", code, out, errOut)
	}
	if fi, err := os.Stat(filepath.Join(cfgDir, "config.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config.json: %v, mode %v", err, fi)
	}
	if _, errOut, code := w.run(t, nil, "pull", ref); code != 0 {
		t.Fatalf("pull after login: exit %d, %q", code, errOut)
	}
	if out := w.must(t, "logout", host); out != "Removing login credentials for "+host+"\n" {
		t.Errorf("logout said %q", out)
	}
	if out := w.must(t, "logout", host); out != "Not logged in to "+host+"\n" {
		t.Errorf("second logout said %q", out)
	}
	if _, errOut, code := w.run(t, nil, "logout", host, "extra"); code != 1 || errOut == "" {
		t.Errorf("logout with two servers: exit %d, %q", code, errOut)
	}
	if _, errOut, code := w.run(t, nil, "login", "-u", "alice", "--password-stdin", "-p", "x", host); code != 1 || errOut == "" {
		t.Errorf("--password with --password-stdin: exit %d, %q", code, errOut)
	}
}

type basic struct{ u, p string }

func (b *basic) Authorization() (*authn.AuthConfig, error) {
	return &authn.AuthConfig{Username: b.u, Password: b.p}, nil
}

// TestPullThroughMirror: registry-mirrors in ward's config sends a
// Docker Hub pull (there is no internet here) to a loopback mirror.
func TestPullThroughMirror(t *testing.T) {
	w := &wardEnv{bin: filepath.Join(sharedBinaries(t), "ward"), root: filepath.Join(t.TempDir(), "root")}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	img, _ := random.Image(64, 1)
	r, _ := name.ParseReference(host + "/library/wardmirrortest:1")
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	cfg := filepath.Join(t.TempDir(), "config.json")
	t.Setenv("WARD_CONFIG", cfg)
	os.WriteFile(cfg, []byte(`{"registry-mirrors": ["`+srv.URL+`"]}`), 0o644)
	if _, errOut, code := w.run(t, nil, "pull", "wardmirrortest:1"); code != 0 {
		t.Fatalf("pull through the mirror: exit %d, %q", code, errOut)
	}
	if out := w.must(t, "images", "--format", "{{.Repository}}:{{.Tag}}"); !strings.Contains(out, "wardmirrortest:1") {
		t.Errorf("images after the pull: %q", out)
	}
	os.WriteFile(cfg, []byte(`{"registry-mirrors": ["mirror.example"]}`), 0o644)
	if _, errOut, code := w.run(t, nil, "pull", "wardmirrortest:1"); code != 1 || !strings.Contains(errOut, "registry-mirrors") {
		t.Errorf("a bad mirror in the config: exit %d, %q", code, errOut)
	}
}
