package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/archive"
)

// Progress reports bytes copied so far out of a total (0 when unknown).
type Progress func(done, total int64)

// Write stores img (pulled, loaded or built) and points refs at it. Every
// blob is verified: layers against their digest and, uncompressed, against
// the config's diff IDs; the config and manifest against their digests.
//
// On failure nothing is kept: blobs written for the image and not used by
// another are removed.
func (s *Store) Write(ctx context.Context, img v1.Image, refs []name.Reference, progress Progress) (*image.Image, error) {
	rec, err := s.write(ctx, img, refs, progress)
	if err != nil {
		s.Collect()
	}
	return rec, err
}

func (s *Store) write(ctx context.Context, img v1.Image, refs []name.Reference, progress Progress) (*image.Image, error) {
	unlock, err := s.lock(unix.LOCK_SH)
	if err != nil {
		return nil, err
	}
	defer unlock()

	rawManifest, err := img.RawManifest()
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(rawManifest))
	if err != nil {
		return nil, fmt.Errorf("parsing manifest: %w", err)
	}
	mediaType := m.MediaType
	if mediaType == "" {
		mediaType, _ = img.MediaType()
	}
	rawConfig, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(rawConfig))
	if err != nil {
		return nil, fmt.Errorf("parsing config %s: %w", m.Config.Digest, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("image config lists %d layers, manifest %d", len(cfg.RootFS.DiffIDs), len(m.Layers))
	}
	var total, done int64
	for _, l := range m.Layers {
		total += l.Size
	}

	rec := &image.Image{
		ID:                m.Config.Digest,
		ManifestMediaType: mediaType,
		ManifestSize:      int64(len(rawManifest)),
		ConfigSize:        int64(len(rawConfig)),
		ConfigMediaType:   m.Config.MediaType,
		Created:           cfg.Created.Time,
	}
	chain := image.ChainIDs(cfg.RootFS.DiffIDs)
	infos := map[v1.Hash]blobInfo{}
	for i, desc := range m.Layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if desc.MediaType.IsDistributable() == false {
			return nil, fmt.Errorf("layer %s: foreign layers are not supported", desc.Digest)
		}
		info, err := s.layerBlob(img, desc, cfg.RootFS.DiffIDs[i], func(n int64) {
			if progress != nil {
				progress(done+n, total)
			}
		})
		if err != nil {
			return nil, err
		}
		done += desc.Size
		infos[desc.Digest] = info
		rec.Layers = append(rec.Layers, image.Layer{
			Digest: desc.Digest, DiffID: info.DiffID, ChainID: chain[i], MediaType: desc.MediaType,
			Size: desc.Size, UncompressedSize: info.UncompressedSize,
		})
		rec.Size += info.UncompressedSize
	}
	if _, err := s.writeSmallBlob(rawConfig, m.Config.Digest); err != nil {
		return nil, fmt.Errorf("config %s: %w", m.Config.Digest, err)
	}
	if rec.Manifest, err = s.writeSmallBlob(rawManifest, v1.Hash{}); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if err := s.record(rec, infos, refs); err != nil {
		return nil, err
	}
	return s.Get(rec.ID.String())
}

// layerBlob writes one layer unless the store has it, verified, already.
func (s *Store) layerBlob(img v1.Image, desc v1.Descriptor, wantDiffID v1.Hash, progress func(int64)) (blobInfo, error) {
	if s.hasBlob(desc.Digest) {
		var info blobInfo
		var ok bool
		s.view(func(tx *bolt.Tx) error { info, ok = knownBlob(tx, desc.Digest); return nil })
		if ok && info.DiffID == wantDiffID {
			return info, nil
		}
		// Unknown or claimed with another diff ID: verify it again below.
	}
	l, err := img.LayerByDigest(desc.Digest)
	if err != nil {
		return blobInfo{}, fmt.Errorf("layer %s: %w", desc.Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return blobInfo{}, fmt.Errorf("layer %s: %w", desc.Digest, err)
	}
	defer rc.Close()
	return s.writeLayerBlob(rc, desc.Digest, wantDiffID, progress)
}

// record commits an image and its references in one transaction: the
// point at which the image exists.
func (s *Store) record(rec *image.Image, infos map[v1.Hash]blobInfo, refs []name.Reference) error {
	return s.updateIndexed(func(tx *bolt.Tx) error {
		for h, info := range infos {
			data, _ := json.Marshal(info)
			if err := tx.Bucket(bucketBlobs).Put([]byte(h.String()), data); err != nil {
				return err
			}
		}
		if err := putImage(tx, rec); err != nil {
			return err
		}
		for _, ref := range refs {
			key := ref.Name()
			if _, ok := ref.(name.Digest); ok {
				// A digest reference names the manifest we stored.
				key = ref.Context().Name() + "@" + rec.Manifest.String()
			}
			if err := tx.Bucket(bucketRefs).Put([]byte(key), []byte(rec.ID.String())); err != nil {
				return err
			}
		}
		return nil
	})
}

// ImportOptions describe the image `ward import` makes of a rootfs tar.
type ImportOptions struct {
	Ref     *name.Tag
	Created time.Time
	Comment string    // history comment, e.g. the source file
	Config  v1.Config // Cmd, Env, ... (docker import --change)
}

// Import makes a single-layer image of a root filesystem tar (plain, gzip
// or zstd), like docker import. The tar is stored as it comes, so modes,
// owners, setuid bits and xattrs are kept; it is read through a tar
// reader on the way, so a file that is not a whole tar is refused.
// On failure nothing is kept.
func (s *Store) Import(ctx context.Context, r io.Reader, opts ImportOptions, progress Progress) (*image.Image, error) {
	rec, err := s.importTar(ctx, r, opts, progress)
	if err != nil {
		s.Collect()
	}
	return rec, err
}

func (s *Store) importTar(ctx context.Context, r io.Reader, opts ImportOptions, progress Progress) (*image.Image, error) {
	unlock, err := s.lock(unix.LOCK_SH)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if opts.Created.IsZero() {
		opts.Created = time.Now().UTC()
	}
	src, err := Decompress(r)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer src.Close()
	if progress != nil {
		src = io.NopCloser(&progressReader{r: src, fn: func(n int64) { progress(n, 0) }})
	}

	layerDigest, layerSize, diffID, usize, err := s.compressLayer(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}

	cfg := v1.ConfigFile{
		Architecture: runtime.GOARCH,
		OS:           "linux",
		Created:      v1.Time{Time: opts.Created},
		Config:       opts.Config,
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{diffID}},
		History:      []v1.History{{Created: v1.Time{Time: opts.Created}, CreatedBy: "ward import", Comment: opts.Comment}},
	}
	rawConfig, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	configDigest, err := s.writeSmallBlob(rawConfig, v1.Hash{})
	if err != nil {
		return nil, err
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        v1.Descriptor{MediaType: types.OCIConfigJSON, Digest: configDigest, Size: int64(len(rawConfig))},
		Layers:        []v1.Descriptor{{MediaType: types.OCILayer, Digest: layerDigest, Size: layerSize}},
	}
	rawManifest, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	manifestDigest, err := s.writeSmallBlob(rawManifest, v1.Hash{})
	if err != nil {
		return nil, err
	}
	rec := &image.Image{
		ID: configDigest, Manifest: manifestDigest, ManifestMediaType: m.MediaType,
		ManifestSize: int64(len(rawManifest)), ConfigSize: int64(len(rawConfig)), ConfigMediaType: types.OCIConfigJSON,
		Created: opts.Created, Size: usize,
		Layers: []image.Layer{{Digest: layerDigest, DiffID: diffID, ChainID: diffID, MediaType: types.OCILayer,
			Size: layerSize, UncompressedSize: usize}},
	}
	var refs []name.Reference
	if opts.Ref != nil {
		refs = append(refs, *opts.Ref)
	}
	infos := map[v1.Hash]blobInfo{layerDigest: {DiffID: diffID, UncompressedSize: usize}}
	if err := s.record(rec, infos, refs); err != nil {
		return nil, err
	}
	return s.Get(rec.ID.String())
}

// compressLayer stores an uncompressed layer tar gzip-compressed (fast
// level), reading it through a tar reader so that a broken tar is refused,
// and returns the blob's digest and size and the tar's diff ID and size.
func (s *Store) compressLayer(ctx context.Context, src io.Reader) (digest v1.Hash, size int64, diffID v1.Hash, usize int64, err error) {
	w, err := s.newBlobWriter()
	if err != nil {
		return
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		w.abort()
		return
	}
	diff := sha256.New()
	usize, err = readTar(ctx, io.TeeReader(src, io.MultiWriter(zw, diff)))
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		w.abort()
		return
	}
	if digest, err = s.commitBlob(w, v1.Hash{}); err != nil {
		return
	}
	return digest, w.n, sha256Hash(diff.Sum(nil)), usize, nil
}

// readTar reads a whole layer tar, checking it as archive.Check does, and
// returns the bytes read (trailing padding included).
func readTar(ctx context.Context, r io.Reader) (int64, error) {
	return archive.Check(&ctxReader{ctx: ctx, r: r}, layerCheck)
}

// ctxReader stops a long read when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
