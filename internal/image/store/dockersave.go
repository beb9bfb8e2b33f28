package store

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/image"
)

// saveManifest is one entry of a docker-save archive's manifest.json.
type saveManifest struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// maxSmallFile bounds manifest.json and configs read into memory.
const maxSmallFile = 16 << 20

// loadDockerArchive stores the images of a docker-save archive, reading
// each layer once: a plain layer tar (what docker save writes) is
// gzip-compressed on the way in while its diff ID is computed; a
// compressed one is stored as it is. Either way the diff ID must match
// the config's, or nothing of the image is recorded.
func (s *Store) loadDockerArchive(ctx context.Context, path string, progress Progress) ([]Loaded, error) {
	a := saveArchive{path: path}
	data, err := a.readSmall("manifest.json")
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	var entries []saveManifest
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("load %s: manifest.json: %w", path, err)
	}
	var out []Loaded
	for _, e := range entries {
		var refs []name.Reference
		for _, rt := range e.RepoTags {
			t, err := image.ParseTag(rt)
			if err != nil {
				return out, fmt.Errorf("load %s: %w", path, err)
			}
			refs = append(refs, t)
		}
		rec, err := s.loadSaved(ctx, a, e, refs, progress)
		if err != nil {
			return out, fmt.Errorf("load %s: %w", path, err)
		}
		out = append(out, Loaded{Image: rec, Refs: e.RepoTags})
	}
	return out, nil
}

func (s *Store) loadSaved(ctx context.Context, a saveArchive, e saveManifest, refs []name.Reference, progress Progress) (*image.Image, error) {
	// Shared: blobs written but not yet recorded must not be collected.
	unlock, err := s.lock(unix.LOCK_SH)
	if err != nil {
		return nil, err
	}
	defer unlock()
	rawConfig, err := a.readSmall(e.Config)
	if err != nil {
		return nil, err
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(rawConfig))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", e.Config, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(e.Layers) {
		return nil, fmt.Errorf("config lists %d layers, manifest.json %d", len(cfg.RootFS.DiffIDs), len(e.Layers))
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
	for i, lp := range e.Layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var l image.Layer
		err := a.open(lp, func(r io.Reader, size int64) error {
			var err error
			l, err = s.savedLayer(ctx, r, cfg.RootFS.DiffIDs[i], func(n int64) {
				if progress != nil {
					progress(done+n, 0)
				}
			})
			done += size
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", lp, err)
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

// saveArchive reads named files out of a docker-save tar. Entries may be
// symlinks (docker 25+ links <id>/layer.tar to blobs/sha256/<hex>).
type saveArchive struct{ path string }

func (a saveArchive) readSmall(name string) ([]byte, error) {
	var data []byte
	err := a.open(name, func(r io.Reader, size int64) error {
		if size > maxSmallFile {
			return fmt.Errorf("%s: %d bytes is too large", name, size)
		}
		var err error
		data, err = io.ReadAll(r)
		return err
	})
	return data, err
}

// open finds name in the archive, following links, and hands its content to fn.
func (a saveArchive) open(name string, fn func(r io.Reader, size int64) error) error {
	want := path.Clean(name)
	for hops := 0; hops < 8; hops++ {
		f, err := os.Open(a.path)
		if err != nil {
			return err
		}
		tr := tar.NewReader(f)
		var link string
		for {
			hdr, err := tr.Next()
			if err == io.EOF {
				f.Close()
				return fmt.Errorf("%s: not in the archive", name)
			}
			if err != nil {
				f.Close()
				return err
			}
			if path.Clean(hdr.Name) != want {
				continue
			}
			switch hdr.Typeflag {
			case tar.TypeSymlink:
				link = path.Join(path.Dir(want), hdr.Linkname)
			case tar.TypeLink:
				link = path.Clean(hdr.Linkname)
			case tar.TypeReg:
				err := fn(tr, hdr.Size)
				f.Close()
				return err
			default:
				f.Close()
				return fmt.Errorf("%s: not a file", name)
			}
			break
		}
		f.Close()
		want = link
	}
	return errors.New(name + ": too many links")
}
