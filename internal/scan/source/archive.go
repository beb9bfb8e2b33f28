package source

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Archive is a tar file on disk: a docker-save archive, an OCI image layout
// archive, or a plain rootfs tarball, told apart by content.
type Archive struct {
	f      *os.File
	kind   string // "docker-archive", "oci-archive", "rootfs-tar"
	layers []Layer
	config []byte   // the image config, raw; nil for a rootfs tarball
	names  []string // references the archive records for the image
}

// member locates one file inside the outer tar without extracting it.
type member struct{ off, size int64 }

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
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	members, err := indexTar(f)
	if err != nil {
		return nil, err
	}
	a := &Archive{f: f}
	switch {
	case members["manifest.json"] != (member{}):
		a.kind = "docker-archive"
		a.layers, a.config, a.names, err = dockerLayers(f, members)
	case members["index.json"] != (member{}) && members["oci-layout"] != (member{}):
		a.kind = "oci-archive"
		a.layers, a.config, a.names, err = ociLayers(f, members)
	default:
		a.kind = "rootfs-tar"
		a.layers = []Layer{&tarLayer{open: sectionOpener(f, 0, -1)}}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.kind, err)
	}
	return a, nil
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

// indexTar records where each regular member's data starts. archive/tar
// reads exactly one header's blocks per Next and seeks over data, so the
// file offset right after Next is the start of that member's data.
func indexTar(f *os.File) (map[string]member, error) {
	tr := tar.NewReader(f)
	members := map[string]member{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return members, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read tar: %w", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		if name := CleanPath(hdr.Name); name != "" {
			members[name] = member{off: off, size: hdr.Size}
		}
	}
}

// maxMetadata bounds manifests and configs read into memory.
const maxMetadata = 8 << 20

func readMember(f *os.File, members map[string]member, name string, v any) error {
	data, err := readRaw(f, members, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func readRaw(f *os.File, members map[string]member, name string) ([]byte, error) {
	m, ok := members[CleanPath(name)]
	if !ok {
		return nil, fmt.Errorf("%s: missing from archive", name)
	}
	if m.size > maxMetadata {
		return nil, fmt.Errorf("%s: %d bytes is too large for metadata", name, m.size)
	}
	data := make([]byte, m.size)
	if _, err := f.ReadAt(data, m.off); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

type imageConfig struct {
	RootFS struct {
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

func dockerLayers(f *os.File, members map[string]member) ([]Layer, []byte, []string, error) {
	var manifest []struct {
		Config   string   `json:"Config"`
		RepoTags []string `json:"RepoTags"`
		Layers   []string `json:"Layers"`
	}
	if err := readMember(f, members, "manifest.json", &manifest); err != nil {
		return nil, nil, nil, err
	}
	if len(manifest) == 0 {
		return nil, nil, nil, errors.New("manifest.json lists no image")
	}
	// A multi-image archive: ward analyzes the first image, as docker load tags it.
	img := manifest[0]
	raw, err := readRaw(f, members, img.Config)
	if err != nil {
		return nil, nil, nil, err
	}
	var cfg imageConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", img.Config, err)
	}
	layers := make([]Layer, 0, len(img.Layers))
	for i, name := range img.Layers {
		m, ok := members[CleanPath(name)]
		if !ok {
			return nil, nil, nil, fmt.Errorf("layer %s: missing from archive", name)
		}
		digest := digestFromBlobPath(name)
		if i < len(cfg.RootFS.DiffIDs) {
			digest = cfg.RootFS.DiffIDs[i]
		}
		layers = append(layers, &tarLayer{digest: digest, open: sectionOpener(f, m.off, m.size)})
	}
	return layers, raw, img.RepoTags, nil
}

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Annotations map[string]string `json:"annotations"`
}

type ociManifest struct {
	MediaType string       `json:"mediaType"`
	Manifests []descriptor `json:"manifests"` // set in an index
	Config    descriptor   `json:"config"`    // set in a manifest
	Layers    []descriptor `json:"layers"`
}

func blobPath(digest string) string {
	alg, hex, _ := strings.Cut(digest, ":")
	return path.Join("blobs", alg, hex)
}

func digestFromBlobPath(name string) string {
	dir, hex := path.Split(CleanPath(name))
	if alg := path.Base(strings.TrimSuffix(dir, "/")); strings.HasPrefix(dir, "blobs/") {
		return alg + ":" + hex
	}
	return ""
}

func ociLayers(f *os.File, members map[string]member) ([]Layer, []byte, []string, error) {
	var m ociManifest
	if err := readMember(f, members, "index.json", &m); err != nil {
		return nil, nil, nil, err
	}
	// Follow indexes down to the first image manifest; nesting is bounded so
	// a cyclic index cannot loop.
	var names []string
	for depth := 0; len(m.Manifests) > 0; depth++ {
		if depth > 4 {
			return nil, nil, nil, errors.New("index nesting too deep")
		}
		// ref.name may be a bare tag ("1.2"); only a full reference names the image.
		for _, key := range []string{"io.containerd.image.name", "org.opencontainers.image.ref.name"} {
			if n := m.Manifests[0].Annotations[key]; strings.ContainsAny(n, ":/") {
				names = append(names, n)
			}
		}
		var next ociManifest
		if err := readMember(f, members, blobPath(m.Manifests[0].Digest), &next); err != nil {
			return nil, nil, nil, err
		}
		m = next
	}
	raw, err := readRaw(f, members, blobPath(m.Config.Digest))
	if err != nil {
		return nil, nil, nil, err
	}
	var cfg imageConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, nil, nil, fmt.Errorf("config %s: %w", m.Config.Digest, err)
	}
	layers := make([]Layer, 0, len(m.Layers))
	for i, d := range m.Layers {
		mem, ok := members[blobPath(d.Digest)]
		if !ok {
			return nil, nil, nil, fmt.Errorf("layer %s: missing from archive", d.Digest)
		}
		digest := d.Digest
		if i < len(cfg.RootFS.DiffIDs) {
			digest = cfg.RootFS.DiffIDs[i]
		}
		layers = append(layers, &tarLayer{digest: digest, open: sectionOpener(f, mem.off, mem.size)})
	}
	return layers, raw, names, nil
}

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
	return WalkTar(l.digest, r, fn)
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
