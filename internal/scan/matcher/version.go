package matcher

import (
	"fmt"
	"regexp"
	"strings"

	apkversion "github.com/knqyf263/go-apk-version"
	debversion "github.com/knqyf263/go-deb-version"
	"golang.org/x/mod/semver"
)

// Comparer orders versions of one scheme: negative when a < b, zero when
// equal, positive when a > b.
type Comparer interface {
	Compare(a, b string) (int, error)
}

// Debian orders versions as dpkg does: epoch, upstream version, revision;
// '~' sorts before anything, so 1.0~rc1 < 1.0 and 1.0-1 < 1.0-1+b1.
type Debian struct{}

func (Debian) Compare(a, b string) (int, error) {
	va, err := debversion.NewVersion(a)
	if err != nil {
		return 0, fmt.Errorf("debian version %q: %w", a, err)
	}
	vb, err := debversion.NewVersion(b)
	if err != nil {
		return 0, fmt.Errorf("debian version %q: %w", b, err)
	}
	return va.Compare(vb), nil
}

// Alpine orders versions as apk does (1.2.3_rc1-r0 < 1.2.3-r0 < 1.2.3-r1).
type Alpine struct{}

func (Alpine) Compare(a, b string) (int, error) {
	va, err := apkversion.NewVersion(a)
	if err != nil {
		return 0, fmt.Errorf("alpine version %q: %w", a, err)
	}
	vb, err := apkversion.NewVersion(b)
	if err != nil {
		return 0, fmt.Errorf("alpine version %q: %w", b, err)
	}
	return va.Compare(vb), nil
}

// Semver orders Go module versions and Go releases ("go1.21.3" as 1.21.3,
// "go1.21rc2" as 1.21.0-rc.2), as the Go vulnerability database writes them.
type Semver struct{}

func (Semver) Compare(a, b string) (int, error) {
	sa, sb := canonicalSemver(a), canonicalSemver(b)
	if !semver.IsValid(sa) {
		return 0, fmt.Errorf("semantic version %q is not valid", a)
	}
	if !semver.IsValid(sb) {
		return 0, fmt.Errorf("semantic version %q is not valid", b)
	}
	return semver.Compare(sa, sb), nil
}

var goRelease = regexp.MustCompile(`^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?`)

func canonicalSemver(v string) string {
	if m := goRelease.FindStringSubmatch(v); m != nil {
		minor, patch := m[2], m[3]
		if minor == "" {
			minor = "0"
		}
		if patch == "" {
			patch = "0"
		}
		s := "v" + m[1] + "." + minor + "." + patch
		if m[4] != "" {
			s += "-" + m[4] + "." + m[5]
		}
		return s
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return v
}
