package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

var (
	// ErrNotSupported marks a setting this host's kernel or mounts cannot
	// apply: a missing cgroup file or an unmounted controller.
	ErrNotSupported = errors.New("not supported by this host's cgroups")
	// ErrSystemdPath marks a "slice:prefix:name" cgroupsPath, which needs the
	// systemd cgroup driver that ward does not implement.
	ErrSystemdPath = errors.New("systemd cgroups are not supported")
)

// writeFile writes one value to an existing cgroup file. It never creates
// the file: a cgroup file the kernel lacks is ErrNotSupported naming it.
func writeFile(dir, name, value string) error {
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("cgroup file %s does not exist on this kernel: %w", path, ErrNotSupported)
		}
		return fmt.Errorf("open cgroup file: %w", err)
	}
	defer f.Close()
	for {
		_, err = f.WriteString(value)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("write %q to %s: %w", value, path, unwrapPathError(err))
	}
	return nil
}

// unwrapPathError drops os.PathError's own path, which the caller already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readFile reads one cgroup file, trimmed of its trailing newline.
func readFile(dir, name string) (string, error) {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("cgroup file %s does not exist on this kernel: %w", path, ErrNotSupported)
		}
		return "", fmt.Errorf("read cgroup file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// readUint reads a file holding one number; "max" reads as 0 with max true.
func readUint(dir, name string) (n uint64, max bool, err error) {
	s, err := readFile(dir, name)
	if err != nil {
		return 0, false, err
	}
	if s == "max" {
		return 0, true, nil
	}
	n, err = strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("parse %s: %w", filepath.Join(dir, name), err)
	}
	return n, false, nil
}

// readKeyed reads a flat keyed file ("key value" per line) such as memory.stat.
func readKeyed(dir, name string) (map[string]uint64, error) {
	s, err := readFile(dir, name)
	if err != nil {
		return nil, err
	}
	out := map[string]uint64{}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue
		}
		out[k] = n
	}
	return out, nil
}
