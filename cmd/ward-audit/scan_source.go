package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/scan/source/stored"
)

// openScanSource opens what ward sbom, ward scan and ward check analyze: a
// path (directory or tar file) when one exists by that name, else an
// image in ward's store (reference, ID or ID prefix), as docker resolves a
// name that is not a file.
func openScanSource(target string) (source.Source, error) {
	if _, err := os.Stat(target); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return source.Open(target)
	}
	img, err := openStoredImage(target)
	if err != nil {
		return nil, err
	}
	return img, nil
}

// openStoredImage returns an image of ward's store as a source, without
// creating a store where there is none.
func openStoredImage(ref string) (*stored.ImageSource, error) {
	dir := filepath.Join(wardRoot(), "images")
	if _, err := os.Stat(filepath.Join(dir, "meta.db")); err != nil {
		return nil, fmt.Errorf("%s: no such directory, archive or image (no image store in %s)", ref, wardRoot())
	}
	s, err := openImageStore()
	if err != nil {
		return nil, err
	}
	src, err := stored.Open(s, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%s: no such directory, archive or image in %s: %w", ref, dir, err)
	}
	return src, err
}
