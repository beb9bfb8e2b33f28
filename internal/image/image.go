// Package image names the nouns of ward's image store: an Image as the
// store records it, its Layers, and the references that name it. Sibling
// packages read, write and move them: store (on disk), archive (layer
// tars), imagetar (docker-save and OCI layout archives), registry (pull
// and push).
package image

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Platform is the platform ward runs images for: where an index offers
// several, the store keeps this one, pulls fetch it and the scanner reads
// it, so what is judged is what would run.
func Platform() v1.Platform { return v1.Platform{OS: "linux", Architecture: runtime.GOARCH} }

// Image is one image in the store. Its ID is the digest of its config, as
// in Docker; the manifest digest is what a registry knows it by.
type Image struct {
	ID                v1.Hash         `json:"id"`
	Manifest          v1.Hash         `json:"manifest"`
	ManifestMediaType types.MediaType `json:"manifestMediaType"`
	ManifestSize      int64           `json:"manifestSize"`
	ConfigSize        int64           `json:"configSize"`
	ConfigMediaType   types.MediaType `json:"configMediaType"`
	Layers            []Layer         `json:"layers"`
	Created           time.Time       `json:"created"`
	// Size is the sum of the layers' uncompressed sizes (what `docker images` shows).
	Size int64 `json:"size"`
	// RepoTags and RepoDigests are filled from the store's references when read.
	RepoTags    []string `json:"-"`
	RepoDigests []string `json:"-"`
}

// Layer is one layer blob of an image, in order from the base.
type Layer struct {
	Digest           v1.Hash         `json:"digest"` // of the blob as stored (usually gzip)
	DiffID           v1.Hash         `json:"diffID"` // of the uncompressed tar
	ChainID          v1.Hash         `json:"chainID"`
	MediaType        types.MediaType `json:"mediaType"`
	Size             int64           `json:"size"`
	UncompressedSize int64           `json:"uncompressedSize"`
}

// ChainIDs computes the OCI chain IDs of a stack of diff IDs: the first is
// its diff ID, each next one sha256("<previous chain ID> <diff ID>"). A
// chain ID names a layer together with everything below it, which is what
// an unpacked layer directory depends on.
func ChainIDs(diffIDs []v1.Hash) []v1.Hash {
	out := make([]v1.Hash, len(diffIDs))
	for i, d := range diffIDs {
		if i == 0 {
			out[i] = d
			continue
		}
		sum := sha256.Sum256([]byte(out[i-1].String() + " " + d.String()))
		out[i] = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	}
	return out
}

// ShortID is the 12 hex digits `ward images` shows.
func (img *Image) ShortID() string {
	if len(img.ID.Hex) < 12 {
		return img.ID.Hex
	}
	return img.ID.Hex[:12]
}

// ParseReference parses a user's image reference, defaulting the registry
// to Docker Hub and the tag to latest, as docker does.
func ParseReference(s string) (name.Reference, error) {
	if err := CheckReference(s); err != nil {
		return nil, err
	}
	ref, err := name.ParseReference(s, name.WithDefaultTag("latest"))
	if err != nil {
		return nil, fmt.Errorf("invalid reference %q: %w", s, err)
	}
	return ref, nil
}

// ParseTag parses a reference that must be a tag (for ward tag and import).
func ParseTag(s string) (name.Tag, error) {
	if err := CheckReference(s); err != nil {
		return name.Tag{}, err
	}
	t, err := name.NewTag(s, name.WithDefaultTag("latest"))
	if err != nil {
		return name.Tag{}, fmt.Errorf("invalid tag %q: %w", s, err)
	}
	return t, nil
}

// Familiar shortens a full reference the way docker prints it:
// index.docker.io/library/busybox:latest becomes busybox:latest.
func Familiar(ref string) string {
	for _, p := range []string{name.DefaultRegistry + "/library/", name.DefaultRegistry + "/", "docker.io/library/", "docker.io/"} {
		if rest, ok := strings.CutPrefix(ref, p); ok {
			return rest
		}
	}
	return ref
}

// SplitFamiliar splits a stored reference into docker's REPOSITORY and TAG
// (or digest) columns.
func SplitFamiliar(ref string) (repo, tagOrDigest string) {
	f := Familiar(ref)
	if i := strings.LastIndex(f, "@"); i >= 0 {
		return f[:i], f[i+1:]
	}
	if i := strings.LastIndex(f, ":"); i > strings.LastIndex(f, "/") {
		return f[:i], f[i+1:]
	}
	return f, ""
}
