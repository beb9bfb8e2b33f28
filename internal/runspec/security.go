package runspec

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Security is what --security-opt says.
type Security struct {
	NoNewPrivileges bool
	// Seccomp is "" for Docker's default profile, "unconfined" for none,
	// or the path of a profile file.
	Seccomp string
}

// ParseSecurityOpts parses --security-opt values as Docker does:
// no-new-privileges alone or with :BOOL or =BOOL, seccomp=unconfined or
// seccomp=PROFILE.json (":" is Docker's deprecated separator and is
// accepted too).
func ParseSecurityOpts(opts []string) (Security, error) {
	var s Security
	for _, opt := range opts {
		if opt == "no-new-privileges" {
			s.NoNewPrivileges = true
			continue
		}
		key, val, ok := strings.Cut(opt, "=")
		if !ok {
			key, val, ok = strings.Cut(opt, ":")
		}
		if !ok {
			return Security{}, fmt.Errorf("--security-opt %q: want no-new-privileges[:true|false] or seccomp=unconfined|PROFILE.json", opt)
		}
		switch key {
		case "no-new-privileges":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return Security{}, fmt.Errorf("--security-opt %q: %q is not true or false", opt, val)
			}
			s.NoNewPrivileges = b
		case "seccomp":
			if val == "" {
				return Security{}, fmt.Errorf("--security-opt %q: name a profile file or unconfined", opt)
			}
			s.Seccomp = val
		default:
			return Security{}, fmt.Errorf("--security-opt %q: unsupported option %q (ward knows no-new-privileges and seccomp)", opt, key)
		}
	}
	return s, nil
}

// readProfile reads a seccomp profile file named by --security-opt.
func readProfile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--security-opt seccomp=%s: %w", path, err)
	}
	return string(data), nil
}
