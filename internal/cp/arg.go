package cp

import "strings"

// SplitArg reads docker cp's CONTAINER:PATH: a local path is absolute,
// or has no colon before its first slash ("./a:b" is local). container
// is empty for a local path.
func SplitArg(arg string) (container, path string) {
	if strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, ".") {
		return "", arg
	}
	c, p, ok := strings.Cut(arg, ":")
	if !ok || strings.Contains(c, "/") {
		return "", arg
	}
	return c, p
}
