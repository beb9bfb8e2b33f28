package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/imagetar"
)

// loadDockerArchive stores the images of a docker-save archive, reading
// each layer once: a plain layer tar (what docker save writes) is
// gzip-compressed on the way in while its diff ID is computed; a
// compressed one is stored as it is. Either way the diff ID must match
// the config's, or nothing of the image is recorded.
func (s *Store) loadDockerArchive(ctx context.Context, path string, a *imagetar.Archive, progress Progress) ([]Loaded, error) {
	var out []Loaded
	for i := range a.Len() {
		img, err := a.Image(i, nil)
		if err != nil {
			return out, fmt.Errorf("load %s: %w", path, err)
		}
		var refs []name.Reference
		for _, rt := range img.Names {
			t, err := image.ParseTag(rt)
			if err != nil {
				return out, fmt.Errorf("load %s: %w", path, err)
			}
			refs = append(refs, t)
		}
		rec, err := s.loadSaved(ctx, a, img, refs, progress)
		if err != nil {
			return out, fmt.Errorf("load %s: %w", path, err)
		}
		out = append(out, Loaded{Image: rec, Refs: img.Names})
	}
	return out, nil
}

func (s *Store) loadSaved(ctx context.Context, a *imagetar.Archive, img *imagetar.Image, refs []name.Reference, progress Progress) (*image.Image, error) {
	// Shared: blobs written but not yet recorded must not be collected.
	unlock, err := s.lock(unix.LOCK_SH)
	if err != nil {
		return nil, err
	}
	defer unlock()
	rawConfig := img.Config
	cfg, err := v1.ParseConfigFile(bytes.NewReader(rawConfig))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", img.ConfigName, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(img.Layers) {
		return nil, fmt.Errorf("config lists %d layers, manifest.json %d", len(cfg.RootFS.DiffIDs), len(img.Layers))
	}
	configDigest, err := s.writeSmallBlob(rawConfig, v1.Hash{})
	if err != nil {
		return nil, err
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestSchema2,
		Config:        v1.Descriptor{MediaType: types.DockerConfigJSON, Digest: configDigest, Size: int64(len(rawConfig))},
	}
	rec := &image.Image{ID: configDigest, ManifestMediaType: m.MediaType, ConfigSize: int64(len(rawConfig)),
		ConfigMediaType: types.DockerConfigJSON, Created: cfg.Created.Time}
	chain := image.ChainIDs(cfg.RootFS.DiffIDs)
	infos := map[v1.Hash]blobInfo{}
	var done int64
	for i, al := range img.Layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := a.OpenLayer(al)
		if err != nil {
			return nil, err
		}
		l, err := s.savedLayer(ctx, r, cfg.RootFS.DiffIDs[i], func(n int64) {
			if progress != nil {
				progress(done+n, 0)
			}
		})
		done += al.Size
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", al.Name, err)
		}
		l.ChainID = chain[i]
		rec.Layers = append(rec.Layers, l)
		rec.Size += l.UncompressedSize
		infos[l.Digest] = blobInfo{DiffID: l.DiffID, UncompressedSize: l.UncompressedSize}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: l.MediaType, Digest: l.Digest, Size: l.Size})
	}
	rawManifest, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	if rec.Manifest, err = s.writeSmallBlob(rawManifest, v1.Hash{}); err != nil {
		return nil, err
	}
	rec.ManifestSize = int64(len(rawManifest))
	if err := s.record(rec, infos, refs); err != nil {
		return nil, err
	}
	return s.Get(rec.ID.String())
}

// savedLayer stores one layer of a docker-save archive.
func (s *Store) savedLayer(ctx context.Context, r io.Reader, wantDiffID v1.Hash, progress func(int64)) (image.Layer, error) {
	br := bufio.NewReaderSize(&progressReader{r: r, fn: progress}, 64<<10)
	magic, _ := br.Peek(4)
	if bytes.HasPrefix(magic, gzipMagic) || bytes.HasPrefix(magic, zstdMagic) {
		mt := types.DockerLayer
		if bytes.HasPrefix(magic, zstdMagic) {
			mt = types.OCILayerZStd
		}
		// The blob's digest is whatever its content hashes to; the diff ID
		// is what the config vouches for.
		w, err := s.newBlobWriter()
		if err != nil {
			return image.Layer{}, err
		}
		tee := io.TeeReader(br, w)
		info, err := diffID(tee)
		if err == nil && info.DiffID != wantDiffID {
			err = fmt.Errorf("diff ID mismatch: content is %s, config says %s", info.DiffID, wantDiffID)
		}
		if err != nil {
			w.abort()
			return image.Layer{}, err
		}
		digest, err := s.commitBlob(w, v1.Hash{})
		if err != nil {
			return image.Layer{}, err
		}
		return image.Layer{Digest: digest, DiffID: info.DiffID, MediaType: mt, Size: w.n, UncompressedSize: info.UncompressedSize}, nil
	}
	digest, size, diff, usize, err := s.compressLayer(ctx, br)
	if err != nil {
		return image.Layer{}, err
	}
	if diff != wantDiffID {
		// The blob is valid content, possibly another writer's too: the
		// next collection removes it if nothing records it.
		return image.Layer{}, fmt.Errorf("diff ID mismatch: content is %s, config says %s", diff, wantDiffID)
	}
	return image.Layer{Digest: digest, DiffID: diff, MediaType: types.DockerLayer, Size: size, UncompressedSize: usize}, nil
}
