// Package stored adapts an image of ward's store to the scanner's
// source.Source. The adapter lives on the scanner's side so that the store
// knows nothing of scanning (a boundary test keeps it so).
package stored

import (
	"fmt"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/scan/source"
)

// ImageSource is a stored image as a scan source (source.Source): its
// layers base first, each named by its diff ID, so the layer a finding
// names is the one `ward image inspect` lists under RootFS.Layers.
type ImageSource struct {
	rec    *image.Image
	layers []source.Layer
}

// Open resolves what (a reference, ID or ID prefix) in s and returns the
// image as a source. Layers are opened only while they are walked.
func Open(s *store.Store, what string) (*ImageSource, error) {
	rec, err := s.Get(what)
	if err != nil {
		return nil, err
	}
	src := &ImageSource{rec: rec}
	for _, l := range rec.Layers {
		src.layers = append(src.layers, storedSourceLayer{s: s, l: l})
	}
	return src, nil
}

// Image is the store's record of the image.
func (i *ImageSource) Image() *image.Image { return i.rec }

// Layers returns the image's layers, base first.
func (i *ImageSource) Layers() []source.Layer { return i.layers }

// Close does nothing: layer blobs are opened and closed by each walk.
func (i *ImageSource) Close() error { return nil }

type storedSourceLayer struct {
	s *store.Store
	l image.Layer
}

func (l storedSourceLayer) Digest() string { return l.l.DiffID.String() }

func (l storedSourceLayer) Walk(fn func(source.Entry) error) error {
	rc, err := l.s.OpenLayer(l.l)
	if err != nil {
		return fmt.Errorf("layer %s: %w", l.l.DiffID, err)
	}
	defer rc.Close()
	return source.WalkTar(l.l.DiffID.String(), rc, fn)
}
