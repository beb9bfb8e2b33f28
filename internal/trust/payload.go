// Package trust signs and verifies container images the way cosign does,
// so that each reads the other's signatures: a simple-signing payload
// naming the image's manifest digest, signed, and stored beside the image
// in its repository under the tag "sha256-<digest>.sig" (one layer per
// signature, the signature in the layer's annotation).
//
// Nothing here contacts Rekor or Fulcio: verification is offline, against
// a public key the caller trusts.
package trust

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// MaxPayload is the largest signature payload or bundle ward reads: a
// simple-signing payload is a few hundred bytes, a bundle a few KiB. A
// larger one is refused from its descriptor's size, before it is fetched
// or parsed.
const MaxPayload = 1 << 20

// Media types and annotations of cosign's signature images.
const (
	SimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	SignatureAnnotation    = "dev.cosignproject.cosign/signature"
	CertificateAnnotation  = "dev.sigstore.cosign/certificate"
	ChainAnnotation        = "dev.sigstore.cosign/chain"
)

// ErrMalformed marks a payload or signature that is not what it claims.
var ErrMalformed = errors.New("malformed signature")

// Payload is a verified simple-signing payload, as cosign prints it.
type Payload = payload.SimpleContainerImage

// NewPayload is the payload that signs digest, claiming identity (a
// repository, or a repository and tag) for it: cosign's, byte for byte.
func NewPayload(digest name.Digest, identity string) ([]byte, error) {
	b, err := (&payload.Cosign{Image: digest, ClaimedIdentity: identity}).MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("signature payload of %s: %w", digest, err)
	}
	return b, nil
}

// ParsePayload parses a simple-signing payload, refusing one over
// MaxPayload before parsing, one of another type and one without a valid
// manifest digest.
func ParsePayload(b []byte) (Payload, v1.Hash, error) {
	if len(b) > MaxPayload {
		return Payload{}, v1.Hash{}, fmt.Errorf("%w: payload of %d bytes is over the %d-byte limit", ErrMalformed, len(b), MaxPayload)
	}
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&p); err != nil {
		return Payload{}, v1.Hash{}, fmt.Errorf("%w: payload is not JSON: %v", ErrMalformed, err)
	}
	if dec.More() {
		return Payload{}, v1.Hash{}, fmt.Errorf("%w: payload has data after its JSON", ErrMalformed)
	}
	if p.Critical.Type != payload.CosignSignatureType {
		return Payload{}, v1.Hash{}, fmt.Errorf("%w: payload type %q is not %q", ErrMalformed, p.Critical.Type, payload.CosignSignatureType)
	}
	h, err := v1.NewHash(p.Critical.Image.DockerManifestDigest)
	if err != nil {
		return Payload{}, v1.Hash{}, fmt.Errorf("%w: payload digest: %v", ErrMalformed, err)
	}
	return p, h, nil
}
