package engine

import (
	"fmt"
	"strings"
)

// MountToVolume turns a --mount value of type bind into the -v spelling
// runspec reads (HOST:DEST[:ro][,PROPAGATION]); other types are refused.
func MountToVolume(v string) (string, error) {
	var typ, src, dst, prop string
	ro := false
	for _, field := range strings.Split(v, ",") {
		k, val, hasVal := strings.Cut(field, "=")
		switch strings.ToLower(k) {
		case "type":
			typ = val
		case "source", "src":
			src = val
		case "target", "destination", "dst":
			dst = val
		case "readonly", "ro":
			ro = !hasVal || val == "true" || val == "1"
		case "bind-propagation":
			prop = val
		default:
			return "", fmt.Errorf("--mount %q: unknown field %q", v, k)
		}
	}
	if typ != "bind" {
		return "", fmt.Errorf("--mount %q: only type=bind is supported", v)
	}
	if src == "" || dst == "" {
		return "", fmt.Errorf("--mount %q: source and target are required", v)
	}
	mode := "rw"
	if ro {
		mode = "ro"
	}
	if prop != "" {
		mode += "," + prop
	}
	return src + ":" + dst + ":" + mode, nil
}

// IsBindMount tells whether a --mount value is of type bind; others
// (volume, Docker's default, and tmpfs) go to runspec.Options.Mounts.
func IsBindMount(v string) bool {
	for _, field := range strings.Split(v, ",") {
		if k, val, _ := strings.Cut(field, "="); strings.EqualFold(k, "type") {
			return strings.EqualFold(val, "bind")
		}
	}
	return false
}
