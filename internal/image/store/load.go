package store

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/wardproject/ward/internal/image"
)

// Loaded is one image a load added, with the references it came with.
type Loaded struct {
	Image *image.Image
	Refs  []string
}

// Load reads a docker-save archive (manifest.json) or an OCI image layout
// archive (index.json, oci-layout) and stores every image in it. Docker's
// own archives since 25.0 carry both; manifest.json is preferred. Every
// layer is checked as it comes in (archive.Check); an image that fails
// leaves nothing in the store, neither its record nor its blobs, though
// images of the archive stored before it stay, as with docker load.
func (s *Store) Load(ctx context.Context, path string, progress Progress) ([]Loaded, error) {
	loaded, err := s.load(ctx, path, progress)
	if err != nil {
		s.Collect()
	}
	return loaded, err
}

func (s *Store) load(ctx context.Context, path string, progress Progress) ([]Loaded, error) {
	names, err := tarNames(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	switch {
	case names["manifest.json"]:
		return s.loadDockerArchive(ctx, path, progress)
	case names["index.json"] && names["oci-layout"]:
		return s.loadOCIArchive(ctx, path, progress)
	}
	return nil, fmt.Errorf("load %s: neither a docker-save archive (no manifest.json) nor an OCI layout (no index.json)", path)
}

func tarNames(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return names, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading archive: %w", err)
		}
		names[filepath.Clean(hdr.Name)] = true
	}
}

// Compiled on first use, not at every start of the program.
var ociEntry = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(oci-layout|index\.json|blobs/sha256/[0-9a-f]{64})$`)
})

// loadOCIArchive unpacks the layout's files (only those an OCI layout
// has, by exact name) into a temporary directory and stores the images
// its index names, choosing this machine's platform in nested indexes.
func (s *Store) loadOCIArchive(ctx context.Context, path string, progress Progress) ([]Loaded, error) {
	tmp, err := os.MkdirTemp(s.dir, ".load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "blobs", "sha256"), 0o700); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", path, err)
		}
		n := strings.TrimPrefix(filepath.Clean(hdr.Name), "./")
		if hdr.Typeflag != tar.TypeReg || !ociEntry().MatchString(n) {
			continue
		}
		out, err := os.OpenFile(filepath.Join(tmp, n), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("load %s: %s: %w", path, n, err)
		}
		_, err = io.Copy(out, tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("load %s: %s: %w", path, n, err)
		}
	}
	lp, err := layout.FromPath(tmp)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	var out []Loaded
	for _, desc := range im.Manifests {
		img, err := pickImage(idx, desc)
		if err != nil {
			return out, fmt.Errorf("load %s: %w", path, err)
		}
		var refs []name.Reference
		var names []string
		for _, a := range []string{"io.containerd.image.name", "org.opencontainers.image.ref.name"} {
			v := desc.Annotations[a]
			if v == "" {
				continue
			}
			if t, err := image.ParseTag(v); err == nil && strings.ContainsAny(v, ":/") {
				refs, names = append(refs, t), append(names, v)
				break
			}
		}
		rec, err := s.Write(ctx, img, refs, progress)
		if err != nil {
			return out, fmt.Errorf("load %s: %w", path, err)
		}
		out = append(out, Loaded{Image: rec, Refs: names})
	}
	return out, nil
}

// Platform is the platform ward runs images for.
func Platform() v1.Platform { return v1.Platform{OS: "linux", Architecture: runtime.GOARCH} }

// pickImage returns the image a descriptor names, resolving an index to
// the manifest for this machine's platform.
func pickImage(idx v1.ImageIndex, desc v1.Descriptor) (v1.Image, error) {
	if !desc.MediaType.IsIndex() {
		return idx.Image(desc.Digest)
	}
	child, err := idx.ImageIndex(desc.Digest)
	if err != nil {
		return nil, err
	}
	cm, err := child.IndexManifest()
	if err != nil {
		return nil, err
	}
	want := Platform()
	for _, d := range cm.Manifests {
		if d.Platform != nil && d.Platform.Satisfies(want) && d.MediaType.IsImage() {
			return child.Image(d.Digest)
		}
	}
	return nil, errors.New("no image for " + want.String() + " in the index")
}
