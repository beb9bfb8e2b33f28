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
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Certificate is what a keyless signature carries beside it, as cosign
// sign --certificate --certificate-chain attaches it: the signing key's
// certificate and the chain up to the root (PEM).
type Certificate struct {
	Cert, Chain []byte
}

// Sign signs the image ref names now and stores the signature in its
// repository, beside the signatures already there. The payload claims
// the repository as the image's identity, as cosign's does.
func (r Registry) Sign(ctx context.Context, ref name.Reference, signer signature.Signer, cert Certificate) (name.Digest, error) {
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
	sigImg, err := AddSignature(base, digest, digest.Context().Name(), signer, cert)
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
// a layer, unless base holds the same signature already. A certificate,
// when given, must be for the signing key.
func AddSignature(base v1.Image, digest name.Digest, identity string, signer signature.Signer, cert Certificate) (v1.Image, error) {
	ann := map[string]string{}
	if len(cert.Cert) > 0 {
		if err := certMatchesKey(cert.Cert, signer); err != nil {
			return nil, err
		}
		ann[CertificateAnnotation] = string(cert.Cert)
		if len(cert.Chain) > 0 {
			ann[ChainAnnotation] = string(cert.Chain)
		}
	}
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
	ann[SignatureAnnotation] = base64.StdEncoding.EncodeToString(raw)
	layer := static.NewLayer(payload, types.MediaType(SimpleSigningMediaType))
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:       layer,
		MediaType:   types.MediaType(SimpleSigningMediaType),
		Annotations: ann,
	})
	if err != nil {
		return nil, fmt.Errorf("signature image of %s: %w", digest, err)
	}
	return img, nil
}

// certMatchesKey refuses a certificate for another key than the signer's.
func certMatchesKey(certPEM []byte, signer signature.Signer) error {
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(certPEM)
	if err != nil || len(certs) == 0 {
		return errors.New("--certificate is not a PEM certificate")
	}
	pub, err := signer.PublicKey()
	if err != nil {
		return err
	}
	if err := cryptoutils.EqualKeys(certs[0].PublicKey, pub); err != nil {
		return fmt.Errorf("--certificate is not for the signing key: %w", err)
	}
	return nil
}
