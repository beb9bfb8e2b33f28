package trust

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Registry tunes how trust reaches a registry. The zero value uses the
// Docker config file's credentials and the default transport.
type Registry struct {
	Keychain  authn.Keychain
	Transport http.RoundTripper
}

func (r Registry) options(ctx context.Context) []remote.Option {
	kc := r.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(kc), remote.WithUserAgent("ward")}
	if r.Transport != nil {
		opts = append(opts, remote.WithTransport(r.Transport))
	}
	return opts
}

// Resolve returns the manifest digest ref names now: a digest reference
// as it is, a tag as the registry resolves it (for an index, the index's
// digest, which is what cosign signs).
func (r Registry) Resolve(ctx context.Context, ref name.Reference) (name.Digest, error) {
	if d, ok := ref.(name.Digest); ok {
		return d, nil
	}
	desc, err := remote.Head(ref, r.options(ctx)...)
	if err != nil {
		// Some registries answer HEAD poorly; GET is what counts.
		d, gerr := remote.Get(ref, r.options(ctx)...)
		if gerr != nil {
			return name.Digest{}, fmt.Errorf("resolve %s: %w", ref, gerr)
		}
		desc = &d.Descriptor
	}
	return ref.Context().Digest(desc.Digest.String()), nil
}

// SignatureTag is where cosign keeps the signatures of digest:
// REPOSITORY:sha256-<hex>.sig.
func SignatureTag(digest name.Digest) (name.Tag, error) {
	h, err := v1.NewHash(digest.DigestStr())
	if err != nil {
		return name.Tag{}, fmt.Errorf("digest %s: %w", digest, err)
	}
	return digest.Context().Tag(h.Algorithm + "-" + h.Hex + ".sig"), nil
}

// errNoSignatureImage is returned by signatureImage when there is none.
var errNoSignatureImage = errors.New("no signature image")

// signatureImage fetches the signature image of digest.
func (r Registry) signatureImage(ctx context.Context, digest name.Digest) (v1.Image, error) {
	tag, err := SignatureTag(digest)
	if err != nil {
		return nil, err
	}
	img, err := remote.Image(tag, r.options(ctx)...)
	if err != nil {
		if isNotFound(err) {
			return nil, errNoSignatureImage
		}
		return nil, fmt.Errorf("signatures of %s: %w", digest, err)
	}
	return img, nil
}

// EmptySignatureImage is the start of a signature image, as cosign makes
// it: an OCI manifest with an empty config.
func EmptySignatureImage() v1.Image {
	return mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
}

// isNotFound tells whether a registry error is a 404 or a MANIFEST_UNKNOWN.
func isNotFound(err error) bool {
	var terr *transport.Error
	if !errors.As(err, &terr) {
		return false
	}
	if terr.StatusCode == http.StatusNotFound {
		return true
	}
	for _, e := range terr.Errors {
		if strings.Contains(string(e.Code), "UNKNOWN") {
			return true
		}
	}
	return false
}
