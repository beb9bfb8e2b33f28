package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/registry"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/scan/source/stored"
)

// Where `--image-src` lets ward sbom, scan and check read an image from.
const (
	imageSrcAuto     = ""         // a path, else the store, else the registry
	imageSrcStore    = "store"    // ward's image store only
	imageSrcRegistry = "registry" // the registry only, even when stored
)

// errNotStored says an image is not in ward's store (or there is none).
var errNotStored = errors.New("not in ward's image store")

// openScanSource opens what ward sbom and ward scan analyze: a path
// (directory or tar file) when one exists by that name; else an image of
// ward's store (reference, ID or ID prefix), as docker resolves a name
// that is not a file; else the image in its registry, read without being
// stored or run. imageSrc forces the store or the registry.
func openScanSource(ctx context.Context, target, imageSrc string) (source.Source, error) {
	switch imageSrc {
	case imageSrcAuto, imageSrcStore, imageSrcRegistry:
	default:
		return nil, fmt.Errorf("--image-src %q: want store or registry", imageSrc)
	}
	if imageSrc == imageSrcAuto {
		if _, err := os.Stat(target); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return source.Open(target)
		}
	}
	if imageSrc != imageSrcRegistry {
		img, err := openStoredImage(target)
		if err == nil {
			return img, nil
		}
		if imageSrc == imageSrcStore || !errors.Is(err, errNotStored) {
			return nil, err
		}
	}
	ref, err := image.ParseReference(target)
	if err != nil {
		return nil, fmt.Errorf("%s: no such directory, archive or image, and not an image reference: %w", target, err)
	}
	img, err := registry.Pull(ctx, ref, store.Platform(), registry.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: no such directory, archive or image in ward's store, and not read from its registry: %w", target, err)
	}
	return source.FromImage(img)
}

// openStoredImage returns an image of ward's store as a source, without
// creating a store where there is none.
func openStoredImage(ref string) (*stored.ImageSource, error) {
	dir := cli.Layout().Images()
	if _, err := os.Stat(filepath.Join(dir, "meta.db")); err != nil {
		return nil, fmt.Errorf("%s: no such directory, archive or image (no image store in %s): %w", ref, wardRoot(), errNotStored)
	}
	s, err := store.Open(cli.Layout().Images())
	if err != nil {
		return nil, err
	}
	src, err := stored.Open(s, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%s: no such directory, archive or image in %s: %w (%w)", ref, dir, err, errNotStored)
	}
	return src, err
}
