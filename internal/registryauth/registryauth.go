// Package registryauth keeps registry logins in Docker's client config
// ($DOCKER_CONFIG/config.json, default ~/.docker/config.json, mode 0600),
// so a `docker login` already made works for ward and the other way round.
// Where the config names a credential helper (credsStore, or credHelpers
// for one registry) the secret goes to docker-credential-NAME instead of
// the file, exactly as docker does. Pull and push read the same file
// through go-containerregistry's authn.DefaultKeychain.
package registryauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// DockerHubKey is the key docker writes Docker Hub's login under.
const DockerHubKey = "https://index.docker.io/v1/"

// ErrUnauthorized is a login the registry refused.
var ErrUnauthorized = errors.New("unauthorized: incorrect username or password")

// ServerKey is the config key for a server as the user typed it: Docker
// Hub's historical URL for the hub (or an empty server), else the host
// (and port) without scheme or path, as docker login stores it.
func ServerKey(server string) string {
	s := strings.TrimSpace(server)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	switch s {
	case "", "docker.io", "index.docker.io", "registry-1.docker.io":
		return DockerHubKey
	}
	return s
}

// registryFor is the registry to talk to for a config key.
func registryFor(key string, insecure bool) (name.Registry, error) {
	host := key
	if key == DockerHubKey {
		host = name.DefaultRegistry
	}
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	reg, err := name.NewRegistry(host, opts...)
	if err != nil {
		return name.Registry{}, fmt.Errorf("registry %s: %w", key, err)
	}
	return reg, nil
}

// Options tune Login.
type Options struct {
	// ConfigDir is the docker config directory; empty is $DOCKER_CONFIG,
	// else ~/.docker.
	ConfigDir string
	// Transport reaches the registry; default http.DefaultTransport.
	Transport http.RoundTripper
	// Insecure allows plain http (insecure-registries, and loopback
	// registries, which go-containerregistry always tries over http too).
	Insecure bool
}

func (o Options) load() (*configfile.ConfigFile, error) {
	dir := o.ConfigDir
	if dir == "" {
		// config.Dir caches $DOCKER_CONFIG for the process; read it
		// each time, as the keychain pull and push use does.
		dir = os.Getenv("DOCKER_CONFIG")
	}
	cf, err := config.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("docker config: %w", err)
	}
	return cf, nil
}

// Verify asks the registry whether user and password are good: the
// token exchange for a bearer registry, a GET /v2/ for a basic one.
func Verify(ctx context.Context, server, user, password string, o Options) error {
	key := ServerKey(server)
	reg, err := registryFor(key, o.Insecure)
	if err != nil {
		return err
	}
	t := o.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	auth := authn.FromConfig(authn.AuthConfig{Username: user, Password: password})
	rt, err := transport.NewWithContext(ctx, reg, auth, t, []string{reg.Scope(transport.PullScope)})
	if err != nil {
		var te *transport.Error
		if errors.As(err, &te) && te.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("login %s: %w", key, ErrUnauthorized)
		}
		return fmt.Errorf("login %s: %w", key, err)
	}
	url := fmt.Sprintf("%s://%s/v2/", reg.Scheme(), reg.RegistryStr())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("login %s: %w", key, err)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return fmt.Errorf("login %s: %w", key, err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("login %s: %w", key, ErrUnauthorized)
	case resp.StatusCode >= 300:
		return fmt.Errorf("login %s: registry answered %s", key, resp.Status)
	}
	return nil
}

// Login checks the credentials with the registry and stores them; it
// returns the config file (or "docker-credential-NAME") they went to.
func Login(ctx context.Context, server, user, password string, o Options) (string, error) {
	if user == "" || password == "" {
		return "", errors.New("login: a username and a password are required")
	}
	if err := Verify(ctx, server, user, password, o); err != nil {
		return "", err
	}
	return Store(server, user, password, o)
}

// Store writes the credentials without asking the registry.
func Store(server, user, password string, o Options) (string, error) {
	key := ServerKey(server)
	cf, err := o.load()
	if err != nil {
		return "", err
	}
	store := cf.GetCredentialsStore(key)
	if err := store.Store(types.AuthConfig{ServerAddress: key, Username: user, Password: password}); err != nil {
		return "", fmt.Errorf("store credentials for %s: %w", key, err)
	}
	return where(cf, key), nil
}

// Logout removes the credentials for server. found is false when there
// were none (docker then says "Not logged in to ...", exit 0).
func Logout(server string, o Options) (found bool, err error) {
	key := ServerKey(server)
	cf, err := o.load()
	if err != nil {
		return false, err
	}
	store := cf.GetCredentialsStore(key)
	ac, err := store.Get(key)
	if err != nil {
		return false, fmt.Errorf("credentials for %s: %w", key, err)
	}
	_, inFile := cf.AuthConfigs[key]
	if ac.Username == "" && ac.Password == "" && ac.IdentityToken == "" && !inFile {
		return false, nil
	}
	if err := store.Erase(key); err != nil {
		return true, fmt.Errorf("remove credentials for %s: %w", key, err)
	}
	return true, nil
}

func where(cf *configfile.ConfigFile, key string) string {
	if h := cf.CredentialHelpers[key]; h != "" {
		return "docker-credential-" + h
	}
	if cf.CredentialsStore != "" {
		return "docker-credential-" + cf.CredentialsStore
	}
	return cf.Filename
}
