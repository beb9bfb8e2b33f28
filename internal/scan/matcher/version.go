package matcher

import (
	"fmt"
	"regexp"
	"strings"

	gemversion "github.com/aquasecurity/go-gem-version"
	npmversion "github.com/aquasecurity/go-npm-version/pkg"
	pep440 "github.com/aquasecurity/go-pep440-version"
	apkversion "github.com/knqyf263/go-apk-version"
	debversion "github.com/knqyf263/go-deb-version"
	mvnversion "github.com/masahiro331/go-mvn-version"
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

// PEP440 orders Python versions as pip does (PEP 440): epochs ("1!2.0"),
// pre-, post- and dev-releases, and local versions ("1.0+ubuntu1").
type PEP440 struct{}

func (PEP440) Compare(a, b string) (int, error) {
	va, err := pep440.Parse(a)
	if err != nil {
		return 0, fmt.Errorf("pep 440 version %q: %w", a, err)
	}
	vb, err := pep440.Parse(b)
	if err != nil {
		return 0, fmt.Errorf("pep 440 version %q: %w", b, err)
	}
	return va.Compare(vb), nil
}

// Maven orders versions as Maven's ComparableVersion does: qualifiers
// alpha < beta < milestone < rc < snapshot < "" (release) < sp, so
// 1.0-beta1 < 1.0-RC1 < 1.0 < 1.0-sp1.
type Maven struct{}

func (Maven) Compare(a, b string) (int, error) {
	va, err := mvnversion.NewVersion(a)
	if err != nil {
		return 0, fmt.Errorf("maven version %q: %w", a, err)
	}
	vb, err := mvnversion.NewVersion(b)
	if err != nil {
		return 0, fmt.Errorf("maven version %q: %w", b, err)
	}
	return va.Compare(vb), nil
}

// RubyGems orders versions as Gem::Version does: a letter makes a
// prerelease, so 2.0.0.rc1 < 2.0.0 < 2.0.0.1.
type RubyGems struct{}

func (RubyGems) Compare(a, b string) (int, error) {
	va, err := gemversion.NewVersion(a)
	if err != nil {
		return 0, fmt.Errorf("rubygems version %q: %w", a, err)
	}
	vb, err := gemversion.NewVersion(b)
	if err != nil {
		return 0, fmt.Errorf("rubygems version %q: %w", b, err)
	}
	return va.Compare(vb), nil
}

// NPM orders npm versions by semver 2.0 (pre-releases before their
// release, build metadata ignored), as node-semver does; npm tolerates a
// leading "v" and "=".
type NPM struct{}

func (NPM) Compare(a, b string) (int, error) {
	va, err := npmversion.NewVersion(a)
	if err != nil {
		return 0, fmt.Errorf("npm version %q: %w", a, err)
	}
	vb, err := npmversion.NewVersion(b)
	if err != nil {
		return 0, fmt.Errorf("npm version %q: %w", b, err)
	}
	return va.Compare(vb), nil
}
