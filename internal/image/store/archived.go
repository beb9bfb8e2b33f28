package store

import (
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/wardproject/ward/internal/image/imagetar"
)

// archivedImage is an image of an OCI layout archive as the
// go-containerregistry image that Write stores: its manifest and config
// as imagetar read (and checked against their digests), its layers read
// in place from the archive.
type archivedImage struct {
	a   *imagetar.Archive
	img *imagetar.Image
}

var _ partial.CompressedImageCore = archivedImage{}

func (i archivedImage) RawConfigFile() ([]byte, error) { return i.img.Config, nil }
func (i archivedImage) RawManifest() ([]byte, error)   { return i.img.Manifest, nil }
func (i archivedImage) MediaType() (types.MediaType, error) {
	return types.MediaType(i.img.MediaType), nil
}

func (i archivedImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range i.img.Layers {
		if l.Digest == h.String() {
			return archivedLayer{a: i.a, l: l, digest: h}, nil
		}
	}
	return nil, fmt.Errorf("layer %s: not in the image's manifest", h)
}

// archivedLayer is one layer blob of an OCI layout archive.
type archivedLayer struct {
	a      *imagetar.Archive
	l      imagetar.Layer
	digest v1.Hash
}

func (l archivedLayer) Digest() (v1.Hash, error) { return l.digest, nil }
func (l archivedLayer) Size() (int64, error)     { return l.l.Size, nil }
func (l archivedLayer) MediaType() (types.MediaType, error) {
	return types.MediaType(l.l.MediaType), nil
}

func (l archivedLayer) Compressed() (io.ReadCloser, error) {
	r, err := l.a.OpenLayer(l.l)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(r), nil
}
