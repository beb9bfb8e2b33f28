package store

import (
	"bytes"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/wardproject/ward/internal/image"
)

// Image returns a stored image as go-containerregistry's v1.Image, for
// save and push; its layers are read from the blob files on demand.
func (s *Store) Image(what string) (v1.Image, *image.Image, error) {
	rec, err := s.Get(what)
	if err != nil {
		return nil, nil, err
	}
	raw, err := os.ReadFile(s.blobPath(rec.Manifest))
	if err != nil {
		return nil, nil, fmt.Errorf("manifest of image %s: %w", rec.ShortID(), err)
	}
	img, err := partial.CompressedToImage(&storedImage{s: s, rec: rec, manifest: raw})
	if err != nil {
		return nil, nil, err
	}
	return img, rec, nil
}

// ConfigFile reads an image's config.
func (s *Store) ConfigFile(rec *image.Image) (*v1.ConfigFile, error) {
	f, err := s.OpenBlob(rec.ID)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return v1.ParseConfigFile(f)
}

// OpenLayer returns a layer's uncompressed tar stream.
func (s *Store) OpenLayer(l image.Layer) (io.ReadCloser, error) {
	f, err := s.OpenBlob(l.Digest)
	if err != nil {
		return nil, err
	}
	rc, err := Decompress(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("layer %s: %w", l.Digest, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{rc, closers{rc, f}}, nil
}

type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// storedImage is partial.CompressedImageCore over the store's blobs.
type storedImage struct {
	s        *Store
	rec      *image.Image
	manifest []byte
}

func (i *storedImage) RawConfigFile() ([]byte, error) { return os.ReadFile(i.s.blobPath(i.rec.ID)) }
func (i *storedImage) MediaType() (types.MediaType, error) {
	return i.rec.ManifestMediaType, nil
}
func (i *storedImage) RawManifest() ([]byte, error) { return bytes.Clone(i.manifest), nil }
func (i *storedImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range i.rec.Layers {
		if l.Digest == h {
			return &storedLayer{s: i.s, l: l}, nil
		}
	}
	if h == i.rec.ID {
		return &storedLayer{s: i.s, l: image.Layer{Digest: h, Size: i.rec.ConfigSize, MediaType: i.rec.ConfigMediaType}}, nil
	}
	return nil, fmt.Errorf("image %s has no blob %s", i.rec.ShortID(), h)
}

type storedLayer struct {
	s *Store
	l image.Layer
}

func (l *storedLayer) Digest() (v1.Hash, error)            { return l.l.Digest, nil }
func (l *storedLayer) Size() (int64, error)                { return l.l.Size, nil }
func (l *storedLayer) MediaType() (types.MediaType, error) { return l.l.MediaType, nil }
func (l *storedLayer) Compressed() (io.ReadCloser, error)  { return l.s.OpenBlob(l.l.Digest) }
