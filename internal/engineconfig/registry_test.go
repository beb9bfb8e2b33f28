package engineconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The config's insecure registries and mirrors reach pull's and login's
// options; a bad mirror is an error naming the config.
func TestRegistryOptions(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.json")
	write := func(content string) {
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("WARD_CONFIG", p)
	write(`{"insecure-registries": ["127.0.0.1:5000"], "registry-mirrors": ["https://mirror.example"]}`)
	o, err := RegistryOptions()
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Hosts.Insecure) != 1 || o.Hosts.Insecure[0] != "127.0.0.1:5000" || len(o.Hosts.Mirrors) != 1 {
		t.Errorf("hosts %+v", o.Hosts)
	}
	a, err := RegistryAuthOptions("127.0.0.1:5000")
	if err != nil || !a.Insecure || a.Transport == nil {
		t.Errorf("auth options for the insecure registry: %+v, %v", a, err)
	}
	if a, err := RegistryAuthOptions("registry.example"); err != nil || a.Insecure {
		t.Errorf("auth options for another registry: %+v, %v", a, err)
	}
	write(`{"registry-mirrors": ["ftp://mirror.example"]}`)
	if _, err := RegistryOptions(); err == nil || !strings.HasPrefix(err.Error(), "config: ") {
		t.Errorf("bad mirror: %v, want a config error", err)
	}
}
