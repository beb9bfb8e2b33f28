// Package sibling finds ward's companion binaries (ward-runtime,
// ward-monitor, ward-audit, ward-trust): first beside the running
// binary, as `make build` puts them in bin/, then on PATH. One rule for
// all of them, so an installed ward never mixes its own companions with
// older ones found first on PATH.
package sibling

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Find returns the absolute path of the companion binary name.
func Find(name string) (string, error) {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is neither beside ward nor on PATH (make build puts it in bin/)", name)
	}
	return filepath.Abs(p)
}
