package imagetar

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Image is one image of an archive, resolved: its config and manifest
// read (and, in an OCI layout, checked against their digests), its layers
// found but not read.
type Image struct {
	// Names are the references the archive gives the image: docker-save's
	// RepoTags; in an OCI layout the io.containerd.image.name and
	// org.opencontainers.image.ref.name annotations of the index entry
	// that are whole references (a bare ref.name such as "1.2" is a tag
	// of nothing).
	Names []string
	// ConfigName names the config in errors: a member name in a
	// docker-save archive, a digest in an OCI layout.
	ConfigName string
	Config     []byte
	// DiffIDs are the config's rootfs.diff_ids, one per layer, each a
	// sha256 digest.
	DiffIDs []string
	// Manifest is the OCI image manifest, raw, with its digest and media
	// type; empty for a docker-save archive, which has none.
	Manifest       []byte
	ManifestDigest string
	MediaType      string
	Layers         []Layer
}

// Layer is one layer of an Image, lowest first.
type Layer struct {
	// Name is the member holding the layer, as the manifest names it.
	Name string
	// Digest is the stored blob's digest where the archive says it: an
	// OCI descriptor's, or a docker-save layer kept at blobs/sha256/<hex>;
	// "" for a legacy <id>/layer.tar. Nothing has checked it yet.
	Digest    string
	MediaType string // an OCI descriptor's; "" in a docker-save archive
	Size      int64  // bytes stored in the archive
	// DiffID is the config's diff ID for this layer, the digest of its
	// uncompressed content; nothing has checked that content yet.
	DiffID string
}

// saveEntry is one image of a docker-save archive's manifest.json.
type saveEntry struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// ociManifest is an OCI index or image manifest: which one is told by
// its media type or, when that is missing, by its content.
type ociManifest struct {
	MediaType string          `json:"mediaType"`
	Manifests []ociDescriptor `json:"manifests"` // an index
	Config    ociDescriptor   `json:"config"`    // an image manifest
	Layers    []ociDescriptor `json:"layers"`
}

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
	Platform    *v1.Platform      `json:"platform"`
}

// configRootFS is the part of an image config this package reads.
type configRootFS struct {
	RootFS struct {
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

// maxNesting bounds how deep indexes may nest, so a cyclic index cannot
// loop.
const maxNesting = 4

// Len is how many images the archive's top-level manifest lists.
func (a *Archive) Len() int {
	switch a.format {
	case DockerSave:
		return len(a.docker)
	case OCILayout:
		return len(a.index.Manifests)
	}
	return 0
}

// Image resolves the i-th image of the archive (0 <= i < Len). Where an
// OCI index nests another index (a multi-platform image), the first image
// for platform is taken, or the first image at all when platform is nil.
func (a *Archive) Image(i int, platform *v1.Platform) (*Image, error) {
	if i < 0 || i >= a.Len() {
		return nil, fmt.Errorf("image %d: the archive lists %d", i, a.Len())
	}
	if a.format == DockerSave {
		return a.savedImage(a.docker[i])
	}
	return a.ociImage(a.index.Manifests[i], platform)
}

func (a *Archive) savedImage(e saveEntry) (*Image, error) {
	// Member names reach error lines and the store's messages as they are.
	for _, n := range append([]string{e.Config}, e.Layers...) {
		if shown(n) != n {
			return nil, fmt.Errorf("manifest.json: member name %s has control characters", shown(n))
		}
	}
	img := &Image{Names: e.RepoTags, ConfigName: e.Config}
	var err error
	if img.Config, err = a.ReadSmall(e.Config); err != nil {
		return nil, fmt.Errorf("config %w", err)
	}
	if err := img.readDiffIDs(); err != nil {
		return nil, err
	}
	for i, name := range e.Layers {
		target, m, err := a.resolve(name)
		if err != nil {
			return nil, fmt.Errorf("layer %w", err)
		}
		l := Layer{Name: name, Size: m.size, DiffID: img.diffID(i)}
		if dir, hex := path.Split(target); dir == "blobs/sha256/" && checkDigest("sha256:"+hex) == nil {
			l.Digest = "sha256:" + hex
		}
		img.Layers = append(img.Layers, l)
	}
	return img, img.checkDiffIDs()
}

func (a *Archive) ociImage(d ociDescriptor, platform *v1.Platform) (*Image, error) {
	img := &Image{}
	for _, key := range []string{"io.containerd.image.name", "org.opencontainers.image.ref.name"} {
		if n := d.Annotations[key]; strings.ContainsAny(n, ":/") && !contains(img.Names, n) {
			img.Names = append(img.Names, n)
		}
	}
	var m ociManifest
	for depth := 0; ; depth++ {
		if depth > maxNesting {
			return nil, fmt.Errorf("index nesting too deep")
		}
		raw, err := a.readBlob(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("manifest %w", err)
		}
		m = ociManifest{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("manifest %s: %w", d.Digest, err)
		}
		if !isIndex(d.MediaType, m) {
			img.Manifest, img.ManifestDigest, img.MediaType = raw, d.Digest, m.MediaType
			if img.MediaType == "" {
				img.MediaType = d.MediaType
			}
			break
		}
		child, err := pick(m.Manifests, platform)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", d.Digest, err)
		}
		d = child
	}
	img.ConfigName = m.Config.Digest
	var err error
	if img.Config, err = a.readBlob(m.Config.Digest); err != nil {
		return nil, fmt.Errorf("config %w", err)
	}
	if err := img.readDiffIDs(); err != nil {
		return nil, err
	}
	for i, ld := range m.Layers {
		name, err := blobName(ld.Digest)
		if err != nil {
			return nil, fmt.Errorf("layer %w", err)
		}
		_, mem, err := a.resolve(name)
		if err != nil {
			return nil, fmt.Errorf("layer %w", err)
		}
		if ld.Size != 0 && ld.Size != mem.size {
			return nil, fmt.Errorf("layer %s: %d bytes in the archive, the manifest says %d", ld.Digest, mem.size, ld.Size)
		}
		img.Layers = append(img.Layers, Layer{Name: name, Digest: ld.Digest, MediaType: ld.MediaType, Size: mem.size, DiffID: img.diffID(i)})
	}
	return img, img.checkDiffIDs()
}

// checkDiffIDs holds the config to one diff ID per layer, each a digest
// a reader can check the layer's content against.
func (img *Image) checkDiffIDs() error {
	if len(img.DiffIDs) != len(img.Layers) {
		return fmt.Errorf("config %s lists %d layers, the manifest %d", img.ConfigName, len(img.DiffIDs), len(img.Layers))
	}
	for _, d := range img.DiffIDs {
		if checkDigest(d) != nil {
			return fmt.Errorf("config %s: diff ID %q is not sha256:<64 hex digits>", img.ConfigName, d)
		}
	}
	return nil
}

// isIndex tells an index from an image manifest by its media type, or by
// its content where the descriptor and the document name none.
func isIndex(descType string, m ociManifest) bool {
	mt := m.MediaType
	if mt == "" {
		mt = descType
	}
	switch mt {
	case "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json":
		return true
	case "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json":
		return false
	}
	return len(m.Manifests) > 0
}

// pick chooses an index's entry for platform: the first image manifest
// whose platform satisfies it, else the first entry that is itself an
// index (to look further down). With no platform, the first entry.
func pick(ds []ociDescriptor, platform *v1.Platform) (ociDescriptor, error) {
	if len(ds) == 0 {
		return ociDescriptor{}, fmt.Errorf("the index lists no manifest")
	}
	if platform == nil {
		return ds[0], nil
	}
	for _, d := range ds {
		if d.Platform != nil && d.Platform.Satisfies(*platform) && !isIndex(d.MediaType, ociManifest{}) {
			return d, nil
		}
	}
	for _, d := range ds {
		if isIndex(d.MediaType, ociManifest{}) {
			return d, nil
		}
	}
	return ociDescriptor{}, noPlatformError{platform.String()}
}

// ErrNoPlatform is what Image's error is (errors.Is) when an index has no
// image for the platform asked for.
var ErrNoPlatform = errors.New("no image for the platform")

type noPlatformError struct{ platform string }

func (e noPlatformError) Error() string      { return "no image for " + e.platform + " in the index" }
func (noPlatformError) Is(target error) bool { return target == ErrNoPlatform }

func (img *Image) readDiffIDs() error {
	var cfg configRootFS
	if err := json.Unmarshal(img.Config, &cfg); err != nil {
		return fmt.Errorf("config %s: %w", img.ConfigName, err)
	}
	img.DiffIDs = cfg.RootFS.DiffIDs
	return nil
}

func (img *Image) diffID(i int) string {
	if i < len(img.DiffIDs) {
		return img.DiffIDs[i]
	}
	return ""
}

// OpenLayer returns the stored bytes of one of the archive's layers
// (compressed or not, as the archive keeps it). Layers may be read side
// by side.
func (a *Archive) OpenLayer(l Layer) (*io.SectionReader, error) {
	r, err := a.Open(l.Name)
	if err != nil {
		return nil, fmt.Errorf("layer %w", err)
	}
	return r, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
