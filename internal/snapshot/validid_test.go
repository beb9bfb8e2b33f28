package snapshot

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidID: validID accepts exactly what the pattern it stands for
// matches.
func TestValidID(t *testing.T) {
	pattern := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)
	for _, id := range []string{
		"", "a", "c1", "abc_DEF.1-2", strings.Repeat("f", 64), strings.Repeat("a", 128), strings.Repeat("a", 129),
		"_a", ".", "..", "-x", "a/b", "../x", "a b", "é", "a\x00", "a..b", "A-",
	} {
		t.Run(id, func(t *testing.T) {
			if got, want := validID(id), pattern.MatchString(id); got != want {
				t.Errorf("validID(%q) = %v, want %v", id, got, want)
			}
		})
	}
}
