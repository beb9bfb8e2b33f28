package image

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/distribution/reference"

	"github.com/wardproject/ward/internal/testutil"
)

// TestNoReferenceRegexps: the image package, and so ward, does not link
// distribution/reference, whose regular expressions are compiled at every
// start (refgrammar.go); only this test does, to compare.
func TestNoReferenceRegexps(t *testing.T) {
	testutil.RequireNoDeps(t, "github.com/distribution/reference")
}

// checkWithLibrary is CheckReference as it was written on
// distribution/reference, whose verdicts and messages refgrammar.go
// must give.
func checkWithLibrary(s string) error {
	_, err := reference.ParseNormalizedNamed(s)
	if err == nil {
		return nil
	}
	shown := s
	if len(shown) > 80 {
		shown = shown[:77] + "..."
	}
	switch {
	case s == "":
		return fmt.Errorf("%w: empty name", ErrInvalidReference)
	case errors.Is(err, reference.ErrReferenceInvalidFormat):
		return fmt.Errorf("%w: %q", ErrInvalidReference, shown)
	}
	return fmt.Errorf("%w: %q: %s", ErrInvalidReference, shown, strings.TrimPrefix(err.Error(), "invalid reference format: "))
}

var referenceCases = []string{
	"", "busybox", "busybox:latest", "library/busybox", "docker.io/library/busybox:1.36",
	"index.docker.io/busybox", "localhost/x", "localhost:5000/x:tag", "localhost:5000",
	"127.0.0.1:5000/a/b@sha256:" + strings.Repeat("a", 64),
	"[::1]:5000/x", "[::1]/x", "[]/x", "[::1/x", "[fe80::1%25eth0]/x", "[::g]/x",
	"ghcr.io/a/b:v1.2.3", "Ghcr.io/a/b", "ghcr.io/A/b", "UPPER", "Upper/lower", "a/B", "a:B",
	"a/../b", "a//b", "a/", "/a", "a__b", "a___b", "a._b", "a-b", "a--b", "a.-b", "a_.b", "a..b",
	"-a", "a-", ".a", "a.", "_a", "a_", "a:", "a:-x", "a:_x", "a:x.y-z", "a:" + strings.Repeat("t", 128),
	"a:" + strings.Repeat("t", 129), "a@", "a@sha256:" + strings.Repeat("a", 64),
	"a@sha256:" + strings.Repeat("a", 63), "a@sha256:" + strings.Repeat("A", 64),
	"a@sha512:" + strings.Repeat("b", 128), "a@md5:" + strings.Repeat("c", 32),
	"a@foo+bar:" + strings.Repeat("c", 32), "a@foo++bar:" + strings.Repeat("c", 32), "a@1foo:" + strings.Repeat("c", 32),
	"a:tag@sha256:" + strings.Repeat("a", 64), "a@sha256:" + strings.Repeat("a", 64) + "@x",
	strings.Repeat("a", 64), strings.Repeat("A", 64), strings.Repeat("a", 63),
	strings.Repeat("a", 256), "x/" + strings.Repeat("a", 245), "x/" + strings.Repeat("a", 246), "x.io/" + strings.Repeat("a", 255), "x.io/" + strings.Repeat("a", 256),
	"a-.io/x", "-a.io/x", "a.io:/x", "a.io:12ab/x", "a.io:1:2/x", "a b", "a\tb", "é", "a/é", "a:é",
	"host:5000/x:y:z", "host/x:y/z", "a:b/c", "ÄÖ.io/x", "x.io/a/b/c/d:t",
}

func TestCheckReferenceAsDockerGrammar(t *testing.T) {
	for _, s := range referenceCases {
		got, want := fmt.Sprint(CheckReference(s)), fmt.Sprint(checkWithLibrary(s))
		if got != want {
			t.Errorf("CheckReference(%q) = %s; distribution/reference says %s", s, got, want)
		}
	}
}

func FuzzCheckReference(f *testing.F) {
	for _, s := range referenceCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := CheckReference(s), checkWithLibrary(s)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("CheckReference(%q) = %v; distribution/reference says %v", s, got, want)
		}
		if (got != nil) != errors.Is(got, ErrInvalidReference) {
			t.Errorf("CheckReference(%q) = %v: not ErrInvalidReference", s, got)
		}
	})
}
