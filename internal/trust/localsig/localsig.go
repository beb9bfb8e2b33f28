// Package localsig keeps the signature images of images in ward's store
// (`ward sign --local`), one OCI image layout per signed manifest digest
// in ROOT/trust/signatures, so that `ward verify --local` reads them and
// `ward push` sends them beside the image, under the tag cosign uses. It
// links no signature library: ward push reads it.
package localsig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// ErrNone is returned by Read when the image has no signatures.
var ErrNone = errors.New("no signatures in ward's store")

// Dir is where signature images live in ward's root.
func Dir(root string) string { return filepath.Join(root, "trust", "signatures") }

func path(root string, manifest v1.Hash) string {
	return filepath.Join(Dir(root), manifest.Algorithm+"-"+manifest.Hex)
}

// Read returns the signature image of the image whose manifest digest is
// manifest.
func Read(root string, manifest v1.Hash) (v1.Image, error) {
	p, err := layout.FromPath(path(root, manifest))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", manifest, ErrNone)
	}
	if err != nil {
		return nil, fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	if len(m.Manifests) != 1 {
		return nil, fmt.Errorf("signatures of %s: %d images in the layout, want 1", manifest, len(m.Manifests))
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		return nil, fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	return img, nil
}

// Write replaces the signature image of manifest with sig: written in a
// new directory, then renamed over the old one.
func Write(root string, manifest v1.Hash, sig v1.Image) error {
	if err := os.MkdirAll(Dir(root), 0o700); err != nil {
		return fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	tmp, err := os.MkdirTemp(Dir(root), ".tmp-")
	if err != nil {
		return fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	defer os.RemoveAll(tmp)
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	if err := p.AppendImage(sig); err != nil {
		return fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	dst := path(root, manifest)
	old := dst + ".old"
	if err := os.Rename(dst, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Rename(old, dst)
		return fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	return os.RemoveAll(old)
}

// Remove deletes the signatures of manifest, if any.
func Remove(root string, manifest v1.Hash) error {
	if err := os.RemoveAll(path(root, manifest)); err != nil {
		return fmt.Errorf("signatures of %s: %w", manifest, err)
	}
	return nil
}

// Prune removes the signatures of manifests not in keep.
func Prune(root string, keep map[v1.Hash]bool) error {
	entries, err := os.ReadDir(Dir(root))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("signatures: %w", err)
	}
	for _, e := range entries {
		alg, hex, ok := strings.Cut(e.Name(), "-")
		if !ok {
			continue
		}
		h, err := v1.NewHash(alg + ":" + hex)
		if err != nil || keep[h] {
			continue
		}
		if err := os.RemoveAll(filepath.Join(Dir(root), e.Name())); err != nil {
			return fmt.Errorf("signatures: %w", err)
		}
	}
	return nil
}
