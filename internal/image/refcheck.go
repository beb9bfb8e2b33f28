package image

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidReference is a name that is not an image reference by Docker's
// grammar (its message is Docker's: "invalid reference format").
var ErrInvalidReference = errors.New("invalid reference format")

// CheckReference refuses what Docker refuses as a reference, with Docker's
// reason: uppercase in the repository, `..` or empty path components, an
// empty name, a name over 255 characters. go-containerregistry's parser
// is more lenient (it takes `a/../b` as a repository), so every name a
// user gives goes through Docker's own grammar first.
func CheckReference(s string) error {
	err := parseNormalizedNamed(s) // refgrammar.go
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
	case errors.Is(err, ErrInvalidReference):
		return fmt.Errorf("%w: %q", ErrInvalidReference, shown)
	}
	// ErrNameContainsUppercase, ErrNameTooLong, ...: say which, as docker does.
	return fmt.Errorf("%w: %q: %s", ErrInvalidReference, shown, strings.TrimPrefix(err.Error(), "invalid reference format: "))
}
