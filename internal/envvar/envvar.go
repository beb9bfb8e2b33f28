// Package envvar is KEY=VALUE environment lists as Docker handles them:
// merged (an image's Env overridden by -e, a process's env by
// `ward-runtime exec --env`), a bare -e NAME given the client's value,
// and --env-file's format read.
package envvar

import (
	"slices"
	"strings"
)

// Merge is base overridden by extra: KEY=VALUE replaces KEY's entry in
// place or is appended; a bare KEY (no "=") removes KEY, as Docker
// records `-e KEY` for a variable the client's environment lacks.
func Merge(base, extra []string) []string {
	out := slices.Clone(base)
	for _, kv := range extra {
		k, _, hasValue := strings.Cut(kv, "=")
		i := slices.IndexFunc(out, func(e string) bool { ek, _, _ := strings.Cut(e, "="); return ek == k })
		switch {
		case i >= 0 && !hasValue:
			out = slices.Delete(out, i, i+1)
		case i >= 0:
			out[i] = kv
		case hasValue:
			out = append(out, kv)
		}
	}
	return out
}
