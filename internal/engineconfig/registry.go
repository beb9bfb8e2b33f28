package engineconfig

import (
	"fmt"

	"github.com/wardproject/ward/internal/image/registry"
	"github.com/wardproject/ward/internal/registryauth"
)

// RegistryOptions are pull's and push's registry settings from the
// config file: its mirrors and insecure registries, checked.
func RegistryOptions() (registry.Options, error) {
	cfg, err := Read()
	if err != nil {
		return registry.Options{}, err
	}
	hosts := registry.Hosts{Mirrors: cfg.RegistryMirrors, Insecure: cfg.InsecureRegistries}
	if err := hosts.Validate(); err != nil {
		return registry.Options{}, fmt.Errorf("config: %w", err)
	}
	return registry.Options{Hosts: hosts}, nil
}

// RegistryAuthOptions are login's settings for server from the config
// file, so a login to a plain-http registry the config trusts works.
func RegistryAuthOptions(server string) (registryauth.Options, error) {
	cfg, err := Read()
	if err != nil {
		return registryauth.Options{}, err
	}
	hosts := registry.Hosts{Mirrors: cfg.RegistryMirrors, Insecure: cfg.InsecureRegistries}
	return registryauth.Options{Insecure: hosts.IsInsecure(registryauth.ServerKey(server)), Transport: hosts.Transport(nil)}, nil
}
