package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/imagetar"
)

// Loaded is one image a load added, with the references it came with.
type Loaded struct {
	Image *image.Image
	Refs  []string
}

// Load reads a docker-save archive (manifest.json) or an OCI image layout
// archive (index.json, oci-layout), plain or gzip- or zstd-compressed, and
// stores every image in it. Docker's
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
	a, err := s.openArchive(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	defer a.Close()
	switch a.Format() {
	case imagetar.DockerSave:
		return s.loadDockerArchive(ctx, path, a, progress)
	case imagetar.OCILayout:
		return s.loadOCIArchive(ctx, path, a, progress)
	}
	return nil, fmt.Errorf("load %s: neither a docker-save archive (no manifest.json) nor an OCI layout (no index.json)", path)
}

// openArchive indexes the archive at path. A compressed one (`docker save
// | gzip`, which docker load takes too; zstd as well) is decompressed once
// into an unlinked file in the store's directory, so that nothing of it
// outlives the load, and indexed there.
func (s *Store) openArchive(ctx context.Context, path string) (*imagetar.Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	magic := make([]byte, 4)
	n, _ := io.ReadFull(f, magic)
	if !bytes.HasPrefix(magic[:n], gzipMagic) && !bytes.HasPrefix(magic[:n], zstdMagic) {
		a, err := imagetar.New(f)
		if err != nil {
			f.Close()
		}
		return a, err
	}
	defer f.Close()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(s.dir, ".load-")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name())
	src, err := Decompress(f)
	if err == nil {
		_, err = io.Copy(tmp, &ctxReader{ctx: ctx, r: src})
		src.Close()
	}
	if err != nil {
		tmp.Close()
		return nil, fmt.Errorf("decompress: %w", err)
	}
	a, err := imagetar.New(tmp)
	if err != nil {
		tmp.Close()
	}
	return a, err
}

// loadOCIArchive stores the images an OCI layout archive's index names,
// choosing this machine's platform in nested indexes. Blobs are read in
// place; Write verifies each against its digest.
func (s *Store) loadOCIArchive(ctx context.Context, path string, a *imagetar.Archive, progress Progress) ([]Loaded, error) {
	want := Platform()
	var out []Loaded
	for i := range a.Len() {
		img, err := a.Image(i, &want)
		if err != nil {
			return out, fmt.Errorf("load %s: %w", path, err)
		}
		var refs []name.Reference
		var names []string
		// The first annotation that is a whole reference names the image.
		for _, n := range img.Names {
			if t, err := image.ParseTag(n); err == nil {
				refs, names = append(refs, t), append(names, n)
				break
			}
		}
		v1img, err := partial.CompressedToImage(archivedImage{a: a, img: img})
		if err != nil {
			return out, fmt.Errorf("load %s: %w", path, err)
		}
		rec, err := s.Write(ctx, v1img, refs, progress)
		if err != nil {
			return out, fmt.Errorf("load %s: %w", path, err)
		}
		out = append(out, Loaded{Image: rec, Refs: names})
	}
	return out, nil
}

// Platform is the platform ward runs images for (image.Platform).
func Platform() v1.Platform { return image.Platform() }
