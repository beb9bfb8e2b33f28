// Package sibling finds ward's companion binaries (ward-runtime,
// ward-monitor, ward-audit, ward-trust): first beside the running
// binary, as `make build` puts them in bin/, then on PATH. One rule for
// all of them, so an installed ward never mixes its own companions with
// older ones found first on PATH.
package sibling

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// Output runs the companion binary name with's VERB ARGS and returns its
// stdout; its one error line becomes the error.
func Output(name, verb string, args ...string) ([]byte, error) {
	bin, err := Find(name)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{verb}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		msg := strings.TrimPrefix(strings.TrimSpace(errOut.String()), "ward: ")
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	return out.Bytes(), nil
}

// Exec replaces the running process with `NAME VERB ARGS...`, the
// companion binary name: its exit status, signals and terminal are then
// its own. It returns only when that cannot be done.
func Exec(name, verb string, args []string) error {
	bin, err := Find(name)
	if err != nil {
		return fmt.Errorf("%s: %w", verb, err)
	}
	argv := append([]string{bin, verb}, args...)
	if err := syscall.Exec(bin, argv, os.Environ()); err != nil {
		return fmt.Errorf("%s: run %s: %w", verb, bin, err)
	}
	return nil // not reached: Exec replaced the process
}
