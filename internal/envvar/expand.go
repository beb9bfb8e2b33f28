package envvar

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// Expand gives a bare NAME (`-e NAME`, `exec -e NAME`) ward's own value,
// as docker's client does, and drops it when ward has none; NAME=VALUE
// passes as it is.
func Expand(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.Contains(kv, "=") {
			out = append(out, kv)
		} else if v, ok := os.LookupEnv(kv); ok {
			out = append(out, kv+"="+v)
		}
	}
	return out
}

// ReadFile reads docker's env-file format (`--env-file`): NAME=VALUE or
// NAME lines, # comments and blank lines skipped, leading blanks trimmed.
func ReadFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--env-file: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimLeft(sc.Text(), " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--env-file %s: %w", path, err)
	}
	return out, nil
}
