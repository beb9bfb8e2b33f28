package source

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Image is an image read through go-containerregistry (a registry image,
// pulled lazily): its layers are streamed as the walk reads them, never
// stored, and each is verified against its digest as it is read to its
// end. Layers are named by their diff ID, as in ward's store.
type Image struct {
	layers []Layer
}

// FromImage presents img as a Source.
func FromImage(img v1.Image) (*Image, error) {
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("image layers: %w", err)
	}
	out := &Image{}
	for _, l := range ls {
		diffID, err := l.DiffID()
		if err != nil {
			return nil, fmt.Errorf("layer diff id: %w", err)
		}
		out.layers = append(out.layers, &imageLayer{layer: l, digest: diffID.String()})
	}
	return out, nil
}

// Layers lists the image's layers, lowest first.
func (i *Image) Layers() []Layer { return i.layers }

// Close releases nothing: layers are opened and closed per walk.
func (i *Image) Close() error { return nil }

type imageLayer struct {
	layer  v1.Layer
	digest string
}

func (l *imageLayer) Digest() string { return l.digest }

func (l *imageLayer) Walk(fn func(Entry) error) error {
	rc, err := l.layer.Uncompressed() // gzip or zstd, undone by go-containerregistry
	if err != nil {
		return fmt.Errorf("layer %s: %w", l.digest, err)
	}
	defer rc.Close()
	return WalkTar(l.digest, rc, fn)
}
