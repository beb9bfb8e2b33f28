package image

import (
	"errors"
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
)

// Docker's reference grammar (github.com/distribution/reference v0.6.0,
// which ParseNormalizedNamed implements with some twenty regular
// expressions), written as plain string checks: that package compiles
// its expressions when the program starts, about 0.6 ms of every start
// of ward (GODEBUG=inittrace=1), the largest package initialization ward
// had, paid by every command. refgrammar_test.go checks that both give
// the same verdict and the same message, on a table and by fuzzing.
//
//	reference        := name [ ":" tag ] [ "@" digest ]
//	name             := [domain '/'] remote-name
//	domain           := host [':' port-number]
//	host             := domain-name | \[ IPv6address \]
//	domain-name      := domain-component ['.' domain-component]*
//	domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
//	port-number      := /[0-9]+/
//	remote-name      := path-component ['/' path-component]*
//	path-component   := alpha-numeric [separator alpha-numeric]*
//	alpha-numeric    := /[a-z0-9]+/
//	separator        := /[_.]|__|[-]+/
//	tag              := /[\w][\w.-]{0,127}/
//	digest           := algorithm ":" /[0-9a-fA-F]{32,}/
//	algorithm        := /[A-Za-z][A-Za-z0-9]*/ [ /[-_+.]/ /[A-Za-z][A-Za-z0-9]*/ ]*

// The errors distribution/reference returns, with its messages.
var (
	errNameContainsUppercase = errors.New("repository name must be lowercase")
	errNameEmpty             = errors.New("repository name must have at least one component")
	errNameTooLong           = fmt.Errorf("repository name must not be more than %v characters", maxRepositoryName)
)

const maxRepositoryName = 255

// parseNormalizedNamed is distribution/reference's ParseNormalizedNamed,
// returning only its error.
func parseNormalizedNamed(s string) error {
	if isIdentifier(s) {
		return fmt.Errorf("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s)
	}
	domain, remainder := splitDockerDomain(s)
	remote := remainder
	if i := strings.IndexByte(remainder, ':'); i >= 0 {
		remote = remainder[:i]
	}
	if strings.ToLower(remote) != remote {
		return fmt.Errorf("invalid reference format: repository name (%s) must be lowercase", remote)
	}
	return parseReference(domain + "/" + remainder)
}

// splitDockerDomain is distribution/reference's: a first component is a
// registry when it is localhost or holds a '.', a ':' or an uppercase
// letter; otherwise the name is Docker Hub's.
func splitDockerDomain(name string) (domain, remote string) {
	first, rest, ok := strings.Cut(name, "/")
	if !ok {
		return "docker.io", "library/" + name
	}
	switch {
	case first == "localhost":
		domain, remote = first, rest
	case first == "index.docker.io":
		domain, remote = "docker.io", rest
	case strings.ContainsAny(first, ".:"), strings.ToLower(first) != first:
		domain, remote = first, rest
	default:
		domain, remote = "docker.io", name
	}
	if domain == "docker.io" && !strings.Contains(remote, "/") {
		remote = "library/" + remote
	}
	return domain, remote
}

// parseReference is distribution/reference's Parse, returning only its
// error.
func parseReference(s string) error {
	name, _, dgst, ok := matchReference(s)
	if !ok {
		if s == "" {
			return errNameEmpty
		}
		if _, _, _, ok := matchReference(strings.ToLower(s)); ok {
			return errNameContainsUppercase
		}
		return ErrInvalidReference
	}
	if len(namePath(name)) > maxRepositoryName {
		return errNameTooLong
	}
	if dgst != "" {
		if _, err := digest.Parse(dgst); err != nil {
			return err
		}
	}
	return nil
}

// matchReference splits s into its name, tag and digest when the whole
// of s is a reference. A '@' can only start the digest, and a ':' after
// the last '/' only the tag (a name holds a ':' only in its domain, the
// part before its first '/').
func matchReference(s string) (name, tag, dgst string, ok bool) {
	rest := s
	if i := strings.IndexByte(s, '@'); i >= 0 {
		rest, dgst = s[:i], s[i+1:]
		if !isDigest(dgst) {
			return "", "", "", false
		}
	}
	name = rest
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && i > strings.LastIndexByte(rest, '/') {
		name, tag = rest[:i], rest[i+1:]
		if !isTag(tag) {
			return "", "", "", false
		}
	}
	if !isName(name) {
		return "", "", "", false
	}
	return name, tag, dgst, true
}

// isName: [domain '/'] remote-name.
func isName(s string) bool {
	if first, rest, ok := strings.Cut(s, "/"); ok && isDomain(first) && isRemoteName(rest) {
		return true
	}
	return isRemoteName(s)
}

// namePath is a valid name's path: without its domain, when the first
// component can be one (the expression's optional domain is greedy).
func namePath(name string) string {
	if first, rest, ok := strings.Cut(name, "/"); ok && isDomain(first) && isRemoteName(rest) {
		return rest
	}
	return name
}

// isDomain: host [':' port-number].
func isDomain(s string) bool {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return false
		}
		if inner := s[1:end]; inner == "" || !allBytes(inner, isIPv6Byte) {
			return false
		}
		return isPort(s[end+1:])
	}
	host := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		host = s[:i]
		if !isPort(s[i:]) {
			return false
		}
	}
	for _, c := range strings.Split(host, ".") {
		if !isDomainComponent(c) {
			return false
		}
	}
	return true
}

// isPort: empty, or ':' and one or more digits.
func isPort(s string) bool {
	if s == "" {
		return true
	}
	return len(s) > 1 && s[0] == ':' && allBytes(s[1:], isDigit)
}

func isDomainComponent(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	return allBytes(s, func(c byte) bool { return isAlnum(c) || c == '-' })
}

// isRemoteName: path-component ['/' path-component]*.
func isRemoteName(s string) bool {
	for _, c := range strings.Split(s, "/") {
		if !isPathComponent(c) {
			return false
		}
	}
	return true
}

// isPathComponent: runs of [a-z0-9] joined by ".", "_", "__" or dashes.
func isPathComponent(s string) bool {
	if s == "" || !isLowerAlnum(s[0]) || !isLowerAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); {
		if isLowerAlnum(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isLowerAlnum(s[j]) {
			j++
		}
		switch sep := s[i:j]; {
		case sep == "." || sep == "_" || sep == "__":
		case allBytes(sep, func(c byte) bool { return c == '-' }):
		default:
			return false
		}
		i = j
	}
	return true
}

// isTag: [\w][\w.-]{0,127}.
func isTag(s string) bool {
	if s == "" || len(s) > 128 || !isWord(s[0]) {
		return false
	}
	return allBytes(s, func(c byte) bool { return isWord(c) || c == '.' || c == '-' })
}

// isDigest: algorithm ":" at least 32 hex digits.
func isDigest(s string) bool {
	alg, hex, ok := strings.Cut(s, ":")
	if !ok || len(hex) < 32 || !allBytes(hex, isHex) {
		return false
	}
	// Components of letters and digits, each starting with a letter,
	// joined by single separators.
	start := true
	for i := 0; i < len(alg); i++ {
		c := alg[i]
		switch {
		case start:
			if !isLetter(c) {
				return false
			}
			start = false
		case c == '-' || c == '_' || c == '+' || c == '.':
			start = true
		case !isLetter(c) && !isDigit(c):
			return false
		}
	}
	return alg != "" && !start
}

// isIdentifier: 64 lower-case hex digits, an image ID.
func isIdentifier(s string) bool {
	return len(s) == 64 && allBytes(s, func(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' })
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isLetter(c byte) bool     { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool      { return isLetter(c) || isDigit(c) }
func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || isDigit(c) }
func isWord(c byte) bool       { return isAlnum(c) || c == '_' }
func isHex(c byte) bool        { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isIPv6Byte(c byte) bool   { return isHex(c) || c == ':' }
