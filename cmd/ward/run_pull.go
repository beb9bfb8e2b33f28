package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/pull"
)

// registerPull adds run's and create's --pull, as docker's.
func (f *runFlags) registerPull(fl *pflag.FlagSet) {
	fl.StringVar(&f.pull, "pull", "missing", `pull the image before creating: "always", "missing" or "never"`)
}

// ensureImage applies --pull: an image missing from the store is pulled
// (missing), every time (always), or never, and then the error names
// it. The pull is `ward pull`'s, its progress on stderr, since stdout
// is the container's.
func ensureImage(ctx context.Context, policy, what string, stderr io.Writer) error {
	switch policy {
	case "missing", "always", "never":
	default:
		return fmt.Errorf("invalid pull option: %q: must be one of \"always\", \"missing\" or \"never\"", policy)
	}
	if policy != "always" {
		s, err := open.Images(cli.Layout())
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
		if _, perr := image.ParseReference(what); perr != nil {
			return fmt.Errorf("no such image: %s", what)
		}
		ref, _ := image.ParseReference(what)
		fmt.Fprintf(stderr, "Unable to find image '%s' locally\n", image.Familiar(ref.Name()))
	}
	if _, err := pull.Image(ctx, cli.Layout(), what, "", stderr, stderr); err != nil {
		return fmt.Errorf("pull %s: %w", what, err)
	}
	return nil
}
