// Package rmi is the rules of `ward rmi`, docker's: what a name or an ID
// removes, when removing needs --force, what is printed.
package rmi

import (
	"fmt"
	"io"
	"slices"

	"github.com/wardproject/ward/internal/events"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/rootdir"
)

// Remove is `ward rmi` of one name, as docker's: a tag is untagged, and
// the image goes when that was its last tag; an ID removes the image,
// which must then have at most one tag unless forced. An image a
// container uses is never deleted (the store asks its InUse, set by
// internal/open). What goes is printed to out as docker prints it, and
// recorded as an event under l.
func Remove(out io.Writer, l rootdir.Layout, s *store.Store, what string, force bool) error {
	img, err := s.Get(what)
	if err != nil {
		return err
	}
	byTag := false
	if r, err := image.ParseReference(what); err == nil && (slices.Contains(img.RepoTags, r.Name()) || slices.Contains(img.RepoDigests, r.Name())) {
		byTag = true
		if len(img.RepoTags) > 1 && slices.Contains(img.RepoTags, r.Name()) {
			if err := s.Untag(r); err != nil {
				return err
			}
			fmt.Fprintf(out, "Untagged: %s\n", image.Familiar(r.Name()))
			return nil
		}
	}
	if !byTag && len(img.RepoTags) > 1 && !force {
		return fmt.Errorf("%w: unable to delete %s (must be forced): image is referenced in multiple repositories", store.ErrConflict, img.ShortID())
	}
	if err := s.Delete(img.ID); err != nil {
		return err
	}
	for _, t := range append(img.RepoTags, img.RepoDigests...) {
		fmt.Fprintf(out, "Untagged: %s\n", image.Familiar(t))
	}
	fmt.Fprintf(out, "Deleted: %s\n", img.ID)
	events.Append(l.Root(), "image", "delete", img.ID.String(), map[string]string{"name": img.ID.String()})
	return nil
}
