// Package pullpolicy applies `ward run` and `ward create`'s --pull, as
// docker's: an image missing from the store is pulled ("missing", the
// default), pulled every time ("always"), or never, and then the error
// names it.
package pullpolicy

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/pull"
	"github.com/wardproject/ward/internal/rootdir"
)

// Check refuses a --pull value docker refuses, with docker's words.
func Check(policy string) error {
	switch policy {
	case "missing", "always", "never":
		return nil
	}
	return fmt.Errorf("invalid pull option: %q: must be one of \"always\", \"missing\" or \"never\"", policy)
}

// Ensure applies policy to the image what in the store under l. The
// pull is `ward pull`'s (internal/pull), its progress on stderr,
// since stdout is the container's.
func Ensure(ctx context.Context, l rootdir.Layout, policy, what string, stderr io.Writer) error {
	return ensure(ctx, l, policy, what, stderr, pull.Image)
}

// pullFunc is pull.Image's signature, for the tests of the policy alone.
type pullFunc func(ctx context.Context, l rootdir.Layout, what, platform string, progress, status io.Writer) (string, error)

func ensure(ctx context.Context, l rootdir.Layout, policy, what string, stderr io.Writer, pullImage pullFunc) error {
	if err := Check(policy); err != nil {
		return err
	}
	if policy != "always" {
		s, err := open.Images(l)
		if err != nil {
			return err
		}
		_, err = s.Get(what)
		if err == nil {
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if policy == "never" {
			return fmt.Errorf("no such image: %s (--pull never)", what)
		}
		ref, err := image.ParseReference(what)
		if err != nil {
			return fmt.Errorf("no such image: %s", what)
		}
		fmt.Fprintf(stderr, "Unable to find image '%s' locally\n", image.Familiar(ref.Name()))
	}
	if _, err := pullImage(ctx, l, what, "", stderr, stderr); err != nil {
		return fmt.Errorf("pull %s: %w", what, err)
	}
	return nil
}
