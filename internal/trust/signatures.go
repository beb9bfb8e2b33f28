package trust

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Signature is one signature as a signature image holds it, not yet
// verified.
type Signature struct {
	Payload   []byte
	Signature []byte // raw, decoded from the annotation's base64
	Cert      []byte // PEM, keyless signatures only
	Chain     []byte // PEM
}

// maxSignatures bounds how many signatures of one image are read.
const maxSignatures = 100

// readSignatures reads the signatures in a signature image. A layer that
// is not a simple-signing payload is skipped; one over MaxPayload, or
// whose annotation is not base64, is an error named by its index.
func readSignatures(img v1.Image) ([]Signature, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("signature manifest: %w", err)
	}
	if len(m.Layers) > maxSignatures {
		return nil, fmt.Errorf("%w: %d signatures, more than the %d ward reads", ErrMalformed, len(m.Layers), maxSignatures)
	}
	var sigs []Signature
	for i, desc := range m.Layers {
		if desc.MediaType != types.MediaType(SimpleSigningMediaType) {
			continue
		}
		if desc.Size > MaxPayload || desc.Size < 0 {
			return nil, fmt.Errorf("%w: signature %d: payload of %d bytes is over the %d-byte limit", ErrMalformed, i, desc.Size, MaxPayload)
		}
		b64, ok := desc.Annotations[SignatureAnnotation]
		if !ok {
			return nil, fmt.Errorf("%w: signature %d has no %s annotation", ErrMalformed, i, SignatureAnnotation)
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("%w: signature %d is not base64: %v", ErrMalformed, i, err)
		}
		layer, err := img.LayerByDigest(desc.Digest)
		if err != nil {
			return nil, fmt.Errorf("signature %d: %w", i, err)
		}
		rc, err := layer.Compressed()
		if err != nil {
			return nil, fmt.Errorf("signature %d: %w", i, err)
		}
		// The reader checks the digest at its end; reading one byte past
		// the descriptor's size catches a blob longer than declared.
		payload, err := io.ReadAll(io.LimitReader(rc, desc.Size+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("signature %d payload: %w", i, err)
		}
		if int64(len(payload)) != desc.Size {
			return nil, fmt.Errorf("%w: signature %d payload is %d bytes, its descriptor says %d", ErrMalformed, i, len(payload), desc.Size)
		}
		if h, _, err := v1.SHA256(bytes.NewReader(payload)); err != nil || h != desc.Digest {
			return nil, fmt.Errorf("%w: signature %d payload does not match its digest %s", ErrMalformed, i, desc.Digest)
		}
		sigs = append(sigs, Signature{
			Payload:   payload,
			Signature: raw,
			Cert:      []byte(desc.Annotations[CertificateAnnotation]),
			Chain:     []byte(desc.Annotations[ChainAnnotation]),
		})
	}
	return sigs, nil
}
