// Package engineconfig is ward's config file (JSON at $WARD_CONFIG,
// default /etc/ward/config.json) and the choices it makes when the
// command line does not: the runtime, the policy, the default network,
// --userns, the trust policy.
package engineconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/wardproject/ward/internal/sibling"
)

// Config is ward's config file: JSON at $WARD_CONFIG, default
// /etc/ward/config.json; a missing file is an empty config.
type Config struct {
	// Runtime is the runtime binary used when `ward run` has no --runtime.
	Runtime string `json:"runtime"`
	// Policy and FailOnVuln are `ward run --policy` and `--fail-on-vuln`
	// when the command line does not say.
	Policy     string `json:"policy"`
	FailOnVuln string `json:"fail-on-vuln"`
	// DefaultNetwork is the network of `ward run` without --network
	// (default "bridge"; $WARD_DEFAULT_NETWORK wins).
	DefaultNetwork string `json:"default-network"`
	// Userns is `ward run --userns` when the command line does not say:
	// "auto" gives every container a user namespace of its own.
	Userns string `json:"userns"`
	// TrustPolicy is a trust policy file in containers-policy.json's
	// schema, which ward pull and ward run enforce (trust.go).
	TrustPolicy string `json:"trust-policy"`
	// RegistryMirrors and InsecureRegistries are daemon.json's keys of
	// the same names (registry.Hosts says what they do).
	RegistryMirrors    []string `json:"registry-mirrors"`
	InsecureRegistries []string `json:"insecure-registries"`
}

// Read reads the config file; a missing file is an empty config.
func Read() (Config, error) {
	var cfg Config
	path := os.Getenv("WARD_CONFIG")
	if path == "" {
		path = "/etc/ward/config.json"
	}
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Runtime resolves the runtime binary: the flag's value, else the
// config file's, else ward-runtime beside ward's own binary, else
// ward-runtime on PATH.
func Runtime(flag string) (string, error) {
	if flag == "" {
		cfg, err := Read()
		if err != nil {
			return "", err
		}
		flag = cfg.Runtime
	}
	if flag != "" {
		p, err := exec.LookPath(flag)
		if err != nil {
			return "", fmt.Errorf("--runtime %s: %w", flag, err)
		}
		return filepath.Abs(p)
	}
	p, err := sibling.Find("ward-runtime")
	if err != nil {
		return "", fmt.Errorf("no runtime: %w (use --runtime)", err)
	}
	return p, nil
}
