package store

import (
	"fmt"
	"os"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/wardproject/ward/internal/image"
)

// SaveRefs are the named images (`ward save IMAGE...`) by the reference
// a docker-save archive records for each: a tag given is written in its
// familiar spelling, as docker writes RepoTags; an image named otherwise
// (ID, digest) gets a digest reference, which docker load keeps untagged.
// Names of the same image share one v1.Image, so its tags group.
func (s *Store) SaveRefs(names []string) (map[name.Reference]v1.Image, error) {
	refs := map[name.Reference]v1.Image{}
	byID := map[v1.Hash]v1.Image{}
	for _, a := range names {
		img, rec, err := s.Image(a)
		if err != nil {
			return nil, err
		}
		if prev, ok := byID[rec.ID]; ok {
			img = prev
		}
		byID[rec.ID] = img
		if r, err := image.ParseReference(a); err == nil {
			if t, ok := r.(name.Tag); ok && slices.Contains(rec.RepoTags, t.Name()) {
				ft, _ := name.NewTag(image.Familiar(t.Name()))
				refs[ft] = img
				continue
			}
		}
		d, err := name.NewDigest("ward.invalid/image@" + rec.Manifest.String())
		if err != nil {
			return nil, err
		}
		refs[d] = img
	}
	return refs, nil
}

// WriteSaveFile writes refs as a docker-save archive at path, through a
// temporary file renamed into place: a failed save leaves no archive.
func WriteSaveFile(refs map[name.Reference]v1.Image, path string) error {
	tmp := path + ".tmp"
	if err := tarball.MultiRefWriteToFile(tmp, refs); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save: %w", err)
	}
	return os.Rename(tmp, path)
}
