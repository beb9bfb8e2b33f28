// Package target opens what ward sbom, ward scan and ward check name as
// an image to read: a path (a root filesystem directory, a rootfs
// tarball, a docker-save or OCI archive) when one exists by that name;
// else an image of ward's store (reference, ID or ID prefix), as docker
// resolves a name that is not a file; else the image in its registry,
// read without being stored or run. --image-src (From) forces the store
// or the registry.
package target

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/registry"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/scan/source/stored"
)

// Where `--image-src` lets ward sbom, scan and check read an image from.
const (
	FromAuto     = ""         // a path, else the store, else the registry
	FromStore    = "store"    // ward's image store only
	FromRegistry = "registry" // the registry only, even when stored
)

// CheckFrom refuses an --image-src other than store or registry.
func CheckFrom(from string) error {
	switch from {
	case FromAuto, FromStore, FromRegistry:
		return nil
	}
	return fmt.Errorf("--image-src %q: want store or registry", from)
}

// errNotStored says an image is not in ward's store (or there is none).
var errNotStored = errors.New("not in ward's image store")

// Open opens name as a source (see the package comment), with ward's
// store under root.
func Open(ctx context.Context, root rootdir.Layout, name, from string) (source.Source, error) {
	if err := CheckFrom(from); err != nil {
		return nil, err
	}
	if from == FromAuto {
		if _, err := os.Stat(name); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return source.Open(name)
		}
	}
	if from != FromRegistry {
		img, err := openStored(root, name)
		if err == nil {
			return img, nil
		}
		if from == FromStore || !errors.Is(err, errNotStored) {
			return nil, err
		}
	}
	ref, err := image.ParseReference(name)
	if err != nil {
		return nil, fmt.Errorf("%s: no such directory, archive or image, and not an image reference: %w", name, err)
	}
	img, err := registry.Pull(ctx, ref, store.Platform(), registry.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: no such directory, archive or image in ward's store, and not read from its registry: %w", name, err)
	}
	return source.FromImage(img)
}

// openStored returns an image of ward's store as a source, without
// creating a store where there is none.
func openStored(root rootdir.Layout, ref string) (*stored.ImageSource, error) {
	dir := root.Images()
	if _, err := os.Stat(root.ImageDB()); err != nil {
		return nil, fmt.Errorf("%s: no such directory, archive or image (no image store in %s): %w", ref, root.Root(), errNotStored)
	}
	s, err := store.Open(dir)
	if err != nil {
		return nil, err
	}
	src, err := stored.Open(s, ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%s: no such directory, archive or image in %s: %w (%w)", ref, dir, err, errNotStored)
	}
	return src, err
}

// HasRegistryHost reports whether ref names its registry (REGISTRY/REPO:TAG,
// the first component a host: a dot, a port or localhost). ward check
// reads only such names from a registry unless --image-src registry says
// so: a mistyped file name must not become a Docker Hub pull.
func HasRegistryHost(ref string) bool {
	host, _, ok := strings.Cut(ref, "/")
	return ok && (strings.ContainsAny(host, ".:") || host == "localhost")
}
