package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"github.com/wardproject/ward/internal/image/archive"
)

// blobInfo is what the store verified of a layer blob when it wrote it.
type blobInfo struct {
	DiffID           v1.Hash `json:"diffID"`
	UncompressedSize int64   `json:"uncompressedSize"`
}

func (s *Store) blobPath(h v1.Hash) string {
	return filepath.Join(s.dir, "blobs", h.Algorithm, h.Hex)
}

func (s *Store) hasBlob(h v1.Hash) bool {
	_, err := os.Stat(s.blobPath(h))
	return err == nil
}

// OpenBlob opens a blob for reading.
func (s *Store) OpenBlob(h v1.Hash) (*os.File, error) {
	f, err := os.Open(s.blobPath(h))
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", h, err)
	}
	return f, nil
}

func sha256Hash(sum []byte) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum)}
}

// blobWriter writes one blob through a temporary file in the blobs
// directory; commit verifies and renames it, abort removes it.
type blobWriter struct {
	f    *os.File
	h    hash.Hash
	n    int64
	path string
}

func (s *Store) newBlobWriter() (*blobWriter, error) {
	f, err := os.CreateTemp(filepath.Join(s.dir, "blobs", "sha256"), ".tmp-")
	if err != nil {
		return nil, err
	}
	return &blobWriter{f: f, h: sha256.New()}, nil
}

func (w *blobWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

func (w *blobWriter) digest() v1.Hash { return sha256Hash(w.h.Sum(nil)) }

// commit checks the digest (when want is set) and moves the blob in place.
func (s *Store) commitBlob(w *blobWriter, want v1.Hash) (v1.Hash, error) {
	got := w.digest()
	if err := w.f.Sync(); err != nil {
		w.abort()
		return got, err
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.f.Name())
		return got, err
	}
	if want != (v1.Hash{}) && got != want {
		os.Remove(w.f.Name())
		return got, fmt.Errorf("digest mismatch: content is %s, expected %s", got, want)
	}
	if err := os.Rename(w.f.Name(), s.blobPath(got)); err != nil {
		os.Remove(w.f.Name())
		return got, err
	}
	return got, nil
}

func (w *blobWriter) abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}

// writeSmallBlob stores a manifest or config whose bytes are in memory.
func (s *Store) writeSmallBlob(data []byte, want v1.Hash) (v1.Hash, error) {
	w, err := s.newBlobWriter()
	if err != nil {
		return v1.Hash{}, err
	}
	if _, err := w.Write(data); err != nil {
		w.abort()
		return v1.Hash{}, err
	}
	return s.commitBlob(w, want)
}

// writeLayerBlob stores a layer read from r, verifying both its digest
// and, decompressing as it goes, its diff ID. progress (if not nil) gets
// the byte count as it grows.
func (s *Store) writeLayerBlob(r io.Reader, want, wantDiffID v1.Hash, progress func(int64)) (blobInfo, error) {
	w, err := s.newBlobWriter()
	if err != nil {
		return blobInfo{}, err
	}
	pr, pw := io.Pipe()
	type result struct {
		info blobInfo
		err  error
	}
	done := make(chan result, 1)
	go func() {
		info, err := diffID(pr)
		pr.CloseWithError(err) // unblocks the writer if we stop early
		done <- result{info, err}
	}()
	var src io.Reader = r
	if progress != nil {
		src = &progressReader{r: r, fn: progress}
	}
	_, err = io.Copy(io.MultiWriter(w, pw), src)
	pw.CloseWithError(err)
	res := <-done
	if err == nil {
		err = res.err
	}
	if err != nil {
		w.abort()
		return blobInfo{}, fmt.Errorf("layer %s: %w", want, err)
	}
	if wantDiffID != (v1.Hash{}) && res.info.DiffID != wantDiffID {
		w.abort()
		return blobInfo{}, fmt.Errorf("layer %s: diff ID mismatch: content is %s, config says %s", want, res.info.DiffID, wantDiffID)
	}
	if _, err := s.commitBlob(w, want); err != nil {
		return blobInfo{}, fmt.Errorf("layer %s: %w", want, err)
	}
	return res.info, nil
}

// diffID hashes the uncompressed content of a layer blob, whatever its
// compression (gzip, zstd or none), checking on the way that it is a layer
// the snapshotter will apply (archive.Check), and reads r to its end.
func diffID(r io.Reader) (blobInfo, error) {
	rc, err := Decompress(r)
	if err != nil {
		return blobInfo{}, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := archive.Check(io.TeeReader(rc, h), layerCheck)
	if err != nil {
		return blobInfo{}, err
	}
	io.Copy(io.Discard, r)
	return blobInfo{DiffID: sha256Hash(h.Sum(nil)), UncompressedSize: n}, nil
}

// layerCheck is what a layer must pass to be stored: the options the
// snapshotter applies layers with (device nodes are allowed, as Docker does).
var layerCheck = archive.Options{AllowDevices: true}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// Decompress returns the uncompressed stream of a layer, detecting gzip and
// zstd by their magic numbers; anything else is taken as a plain tar.
func Decompress(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		return zr, nil
	case bytes.HasPrefix(magic, zstdMagic):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, err
		}
		return zr.IOReadCloser(), nil
	}
	return io.NopCloser(br), nil
}

// knownBlob returns what the store verified of an existing layer blob.
func knownBlob(tx *bolt.Tx, h v1.Hash) (blobInfo, bool) {
	data := tx.Bucket(bucketBlobs).Get([]byte(h.String()))
	if data == nil {
		return blobInfo{}, false
	}
	var info blobInfo
	if json.Unmarshal(data, &info) != nil {
		return blobInfo{}, false
	}
	return info, true
}

type progressReader struct {
	r  io.Reader
	n  int64
	fn func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.fn(p.n)
	return n, err
}
