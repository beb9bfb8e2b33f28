package trust

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Sign signs the image ref names now and stores the signature in its
// repository, beside the signatures already there. The payload claims
// the repository as the image's identity, as cosign's does.
func (r Registry) Sign(ctx context.Context, ref name.Reference, signer signature.Signer) (name.Digest, error) {
	digest, err := r.Resolve(ctx, ref)
	if err != nil {
		return name.Digest{}, err
	}
	base, err := r.signatureImage(ctx, digest)
	if errors.Is(err, errNoSignatureImage) {
		base = EmptySignatureImage()
	} else if err != nil {
		return name.Digest{}, err
	}
	sigImg, err := AddSignature(base, digest, digest.Context().Name(), signer)
	if err != nil {
		return name.Digest{}, err
	}
	tag, err := SignatureTag(digest)
	if err != nil {
		return name.Digest{}, err
	}
	if err := remote.Write(tag, sigImg, r.options(ctx)...); err != nil {
		return name.Digest{}, fmt.Errorf("store signature of %s: %w", digest, err)
	}
	return digest, nil
}

// AddSignature signs digest and returns base with the signature added as
// a layer, unless base holds the same signature already.
func AddSignature(base v1.Image, digest name.Digest, identity string, signer signature.Signer) (v1.Image, error) {
	payload, err := NewPayload(digest, identity)
	if err != nil {
		return nil, err
	}
	raw, err := signer.SignMessage(bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", digest, err)
	}
	existing, err := readSignatures(base)
	if err != nil {
		return nil, fmt.Errorf("signatures of %s: %w", digest, err)
	}
	for _, s := range existing {
		if bytes.Equal(s.Payload, payload) && bytes.Equal(s.Signature, raw) {
			return base, nil
		}
	}
	layer := static.NewLayer(payload, types.MediaType(SimpleSigningMediaType))
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:       layer,
		MediaType:   types.MediaType(SimpleSigningMediaType),
		Annotations: map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(raw)},
	})
	if err != nil {
		return nil, fmt.Errorf("signature image of %s: %w", digest, err)
	}
	return img, nil
}
