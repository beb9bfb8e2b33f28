package source

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/imagetar"
)

// Archive is a tar file on disk: a docker-save archive, an OCI image layout
// archive (both read by internal/image/imagetar, the reader `ward load`
// uses too), or a plain rootfs tarball, told apart by content.
type Archive struct {
	f      *os.File
	kind   string // "docker-archive", "oci-archive", "rootfs-tar"
	layers []Layer
	config []byte   // the image config, raw; nil for a rootfs tarball
	names  []string // references the archive records for the image
}

// OpenArchive indexes the tar file at name and finds its layers.
func OpenArchive(name string) (*Archive, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open archive %s: %w", name, err)
	}
	a, err := openArchive(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open archive %s: %w", name, err)
	}
	return a, nil
}

func openArchive(f *os.File) (*Archive, error) {
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if isGzip(magic) || isZstd(magic) {
		// A compressed tar can only be streamed: take it as a rootfs
		// tarball (gzip or zstd, as `ward import` takes one).
		return &Archive{f: f, kind: "rootfs-tar", layers: []Layer{&tarLayer{open: sectionOpener(f, 0, -1)}}}, nil
	}
	it, err := imagetar.New(f)
	if err != nil {
		return nil, err
	}
	a := &Archive{f: f}
	if it.Format() == imagetar.NotImage {
		a.kind = "rootfs-tar"
		a.layers = []Layer{&tarLayer{open: sectionOpener(f, 0, -1)}}
		return a, nil
	}
	a.kind = it.Format().String()
	if err := a.readImage(it); err != nil {
		return nil, fmt.Errorf("%s: %w", a.kind, err)
	}
	return a, nil
}

// readImage takes the archive's first image, as docker load tags it in a
// multi-image archive. In a nested (multi-platform) index it takes the
// image for the platform ward runs, as ward load stores it; where the
// index has none, the first image, so another platform's image can still
// be scanned.
func (a *Archive) readImage(it *imagetar.Archive) error {
	if it.Len() == 0 {
		if it.Format() == imagetar.DockerSave {
			return errors.New("manifest.json lists no image")
		}
		return errors.New("index.json lists no image")
	}
	platform := image.Platform()
	img, err := it.Image(0, &platform)
	if errors.Is(err, imagetar.ErrNoPlatform) {
		img, err = it.Image(0, nil)
	}
	if err != nil {
		return err
	}
	a.config, a.names = img.Config, img.Names
	for _, l := range img.Layers {
		// Named by the diff ID the config vouches for, else by the blob.
		digest := l.DiffID
		if digest == "" {
			digest = l.Digest
		}
		a.layers = append(a.layers, &tarLayer{digest: digest, diffID: l.DiffID, open: func() (io.Reader, error) { return it.OpenLayer(l) }})
	}
	return nil
}

// Kind says how the archive was recognized.
func (a *Archive) Kind() string { return a.kind }

// Layers returns the image layers lowest first.
func (a *Archive) Layers() []Layer { return a.layers }

// Config returns the image's raw config JSON (nil for a rootfs tarball),
// which ward check reads for USER, ENV and HEALTHCHECK.
func (a *Archive) Config() []byte { return a.config }

// Names returns the references the archive records for its image
// (docker-save RepoTags, OCI ref.name annotations), possibly none.
func (a *Archive) Names() []string { return a.names }

// Close closes the archive file.
func (a *Archive) Close() error { return a.f.Close() }

func sectionOpener(f *os.File, off, size int64) func() (io.Reader, error) {
	return func() (io.Reader, error) {
		if size < 0 {
			fi, err := f.Stat()
			if err != nil {
				return nil, err
			}
			size = fi.Size() - off
		}
		return io.NewSectionReader(f, off, size), nil
	}
}

func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }
func isZstd(b []byte) bool { return bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}) }

// tarLayer streams one layer tar: plain, gzip- or zstd-compressed (OCI's
// tar+zstd layers, and what `ward import` accepts).
type tarLayer struct {
	digest string
	// diffID, when set, is what the image's config says the uncompressed
	// content hashes to; a walk that ends without an error has checked it.
	diffID string
	open   func() (io.Reader, error)
}

func (l *tarLayer) Digest() string { return l.digest }

func (l *tarLayer) Walk(fn func(Entry) error) error {
	raw, err := l.open()
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(raw, 64<<10)
	magic, _ := br.Peek(4)
	var r io.Reader = br
	switch {
	case isGzip(magic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("layer %s: %w", l.digest, err)
		}
		defer zr.Close()
		r = zr
	case isZstd(magic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return fmt.Errorf("layer %s: %w", l.digest, err)
		}
		defer zr.Close()
		r = zr
	}
	if l.diffID == "" {
		return WalkTar(l.digest, r, fn)
	}
	// Never report on content other than what the image vouches for:
	// hash all of it (the tar's trailing blocks too) while it is walked.
	h := sha256.New()
	r = io.TeeReader(r, h)
	if err := WalkTar(l.digest, r, fn); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("layer %s: %w", l.digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != l.diffID {
		return fmt.Errorf("layer %s: diff ID mismatch: content is %s, config says %s", l.digest, got, l.diffID)
	}
	return nil
}

// WalkTar calls fn for every entry of an uncompressed layer tar read from r;
// digest names the layer in errors. Other Sources (ward's image store) use
// it so every layer is read by the same hostile-input-safe code.
func WalkTar(digest string, r io.Reader, fn func(Entry) error) error {
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("layer %s: read tar: %w", digest, err)
		}
		name := CleanPath(hdr.Name)
		if name == "" {
			continue
		}
		e := Entry{Path: name, Mode: hdr.FileInfo().Mode(), Size: hdr.Size}
		switch hdr.Typeflag {
		case tar.TypeReg:
			e.Open = func() (io.ReadCloser, error) { return io.NopCloser(tr), nil }
		case tar.TypeSymlink, tar.TypeLink:
			// Links are recorded, never followed: a hard link's content is
			// another entry's, and a symlink may point anywhere.
			e.Linkname = hdr.Linkname
			e.Open = nil
		}
		whiteout(&e)
		if err := fn(e); err != nil {
			return err
		}
	}
}
