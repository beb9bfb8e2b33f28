package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/dsse"
	"github.com/sigstore/sigstore/pkg/signature/payload"
	"google.golang.org/protobuf/encoding/protojson"
)

// The second form cosign writes (--new-bundle-format, the default of
// recent cosign): a Sigstore bundle holding a DSSE envelope of an in-toto
// statement whose subject is the image's digest, stored as an OCI 1.1
// referrer of the image (a manifest whose subject is the image).
const (
	InTotoPayloadType      = "application/vnd.in-toto+json"
	CosignSignPredicate    = "https://sigstore.dev/cosign/sign/v1"
	inTotoStatementType    = "https://in-toto.io/Statement/v1"
	emptyConfigMediaType   = "application/vnd.oci.empty.v1+json"
	maxReferrers           = 100
	bundleContentAnnotaton = "dev.sigstore.bundle.content"
	bundlePredicateAnnot   = "dev.sigstore.bundle.predicateType"
)

// BundleChecker verifies a Sigstore bundle that signs digest.
type BundleChecker interface {
	CheckBundle(b verify.SignedEntity, digest v1.Hash) (signer string, err error)
}

// statement is the in-toto statement cosign signs, with the field order
// of protojson (cosign's): _type, subject, predicateType.
type statement struct {
	Type          string            `json:"_type"`
	Subject       []statementDigest `json:"subject"`
	PredicateType string            `json:"predicateType"`
}

type statementDigest struct {
	Digest map[string]string `json:"digest"`
}

// NewBundle signs digest in the second form: the bundle's JSON.
func NewBundle(digest name.Digest, signer signature.Signer, cert Certificate) ([]byte, error) {
	h, err := v1.NewHash(digest.DigestStr())
	if err != nil {
		return nil, fmt.Errorf("digest %s: %w", digest, err)
	}
	payload, err := json.Marshal(statement{Type: inTotoStatementType,
		Subject: []statementDigest{{Digest: map[string]string{h.Algorithm: h.Hex}}}, PredicateType: CosignSignPredicate})
	if err != nil {
		return nil, err
	}
	envJSON, err := dsse.WrapSigner(signer, InTotoPayloadType).SignMessage(bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", digest, err)
	}
	var env struct {
		Signatures []struct {
			Sig string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(envJSON, &env); err != nil || len(env.Signatures) != 1 {
		return nil, fmt.Errorf("sign %s: unexpected DSSE envelope", digest)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", digest, err)
	}
	vm := &protobundle.VerificationMaterial{}
	if len(cert.Cert) > 0 {
		if err := certMatchesKey(cert.Cert, signer); err != nil {
			return nil, err
		}
		certs, _ := cryptoutils.UnmarshalCertificatesFromPEM(cert.Cert)
		vm.Content = &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: certs[0].Raw}}
	} else {
		pub, err := signer.PublicKey()
		if err != nil {
			return nil, err
		}
		vm.Content = &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: keyHint(pub)}}
	}
	pb := &protobundle.Bundle{
		MediaType:            bundleMediaType,
		VerificationMaterial: vm,
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: InTotoPayloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	}
	return protojson.Marshal(pb)
}

// keyHint is how cosign names a public key in a bundle: the base64
// SHA-256 of its DER.
func keyHint(pub any) string {
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// referrerManifest is an OCI 1.1 manifest with the artifactType field,
// which go-containerregistry's v1.Manifest lacks.
type referrerManifest struct {
	v1.Manifest
	ArtifactType string `json:"artifactType,omitempty"`
}

func (r referrerManifest) RawManifest() ([]byte, error)      { return json.Marshal(r) }
func (referrerManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// SignBundle signs the image ref names now in the second form and stores
// the bundle as a referrer of the image, as cosign sign
// --new-bundle-format does.
func (r Registry) SignBundle(ctx context.Context, ref name.Reference, signer signature.Signer, cert Certificate) (name.Digest, error) {
	digest, err := r.Resolve(ctx, ref)
	if err != nil {
		return name.Digest{}, err
	}
	desc, err := remote.Head(digest, r.options(ctx)...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("sign %s: %w", digest, err)
	}
	b, err := NewBundle(digest, signer, cert)
	if err != nil {
		return name.Digest{}, err
	}
	layer := static.NewLayer(b, bundleMediaType)
	config := static.NewLayer([]byte("{}"), emptyConfigMediaType)
	for _, l := range []v1.Layer{config, layer} {
		if err := remote.WriteLayer(digest.Context(), l, r.options(ctx)...); err != nil {
			return name.Digest{}, fmt.Errorf("store bundle of %s: %w", digest, err)
		}
	}
	cd, _ := config.Digest()
	ld, _ := layer.Digest()
	m := referrerManifest{Manifest: v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config:        v1.Descriptor{MediaType: emptyConfigMediaType, ArtifactType: bundleMediaType, Digest: cd, Size: 2},
		Layers:        []v1.Descriptor{{MediaType: bundleMediaType, Digest: ld, Size: int64(len(b))}},
		Subject:       &v1.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size},
		Annotations: map[string]string{
			"org.opencontainers.image.created": time.Now().UTC().Format(time.RFC3339),
			bundleContentAnnotaton:             "dsse-envelope",
			bundlePredicateAnnot:               CosignSignPredicate,
		},
	}, ArtifactType: bundleMediaType}
	raw, err := m.RawManifest()
	if err != nil {
		return name.Digest{}, err
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return name.Digest{}, err
	}
	if err := remote.Put(digest.Context().Digest(h.String()), m, r.options(ctx)...); err != nil {
		return name.Digest{}, fmt.Errorf("store bundle of %s: %w", digest, err)
	}
	return digest, nil
}

// bundles fetches the Sigstore bundles that refer to digest (through the
// referrers API, or the tag go-containerregistry and cosign fall back to).
// Each manifest is read, not only its reported artifactType, which some
// registries report from the config instead.
func (r Registry) bundles(ctx context.Context, digest name.Digest) ([][]byte, error) {
	idx, err := remote.Referrers(digest, r.options(ctx)...)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("referrers of %s: %w", digest, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("referrers of %s: %w", digest, err)
	}
	if len(im.Manifests) > maxReferrers {
		return nil, fmt.Errorf("%w: %d referrers of %s, more than the %d ward reads", ErrMalformed, len(im.Manifests), digest, maxReferrers)
	}
	var out [][]byte
	for _, d := range im.Manifests {
		img, err := remote.Image(digest.Context().Digest(d.Digest.String()), r.options(ctx)...)
		if err != nil {
			return nil, fmt.Errorf("referrer %s of %s: %w", d.Digest, digest, err)
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, fmt.Errorf("referrer %s of %s: %w", d.Digest, digest, err)
		}
		for _, l := range m.Layers {
			if l.MediaType != bundleMediaType {
				continue
			}
			if l.Size > MaxPayload || l.Size < 0 {
				return nil, fmt.Errorf("%w: bundle of %d bytes is over the %d-byte limit", ErrMalformed, l.Size, MaxPayload)
			}
			layer, err := img.LayerByDigest(l.Digest)
			if err != nil {
				return nil, fmt.Errorf("bundle %s: %w", l.Digest, err)
			}
			rc, err := layer.Compressed()
			if err != nil {
				return nil, fmt.Errorf("bundle %s: %w", l.Digest, err)
			}
			b, err := io.ReadAll(io.LimitReader(rc, l.Size+1))
			rc.Close()
			if err != nil {
				return nil, fmt.Errorf("bundle %s: %w", l.Digest, err)
			}
			if int64(len(b)) != l.Size {
				return nil, fmt.Errorf("%w: bundle %s is %d bytes, its descriptor says %d", ErrMalformed, l.Digest, len(b), l.Size)
			}
			out = append(out, b)
		}
	}
	return out, nil
}

// ParseBundle parses a Sigstore bundle, refusing one over MaxPayload
// before parsing.
func ParseBundle(b []byte) (*bundle.Bundle, error) {
	if len(b) > MaxPayload {
		return nil, fmt.Errorf("%w: bundle of %d bytes is over the %d-byte limit", ErrMalformed, len(b), MaxPayload)
	}
	var bun bundle.Bundle
	if err := bun.UnmarshalJSON(b); err != nil {
		return nil, fmt.Errorf("%w: bundle: %v", ErrMalformed, err)
	}
	return &bun, nil
}

// VerifyBundles verifies bundles that claim to sign digest.
func VerifyBundles(bundles [][]byte, digest name.Digest, check BundleChecker) (Verified, error) {
	if len(bundles) == 0 {
		return Verified{}, fmt.Errorf("%w for %s", ErrNoSignature, digest)
	}
	want, err := v1.NewHash(digest.DigestStr())
	if err != nil {
		return Verified{}, fmt.Errorf("digest %s: %w", digest, err)
	}
	var out Verified
	var firstErr error
	for _, raw := range bundles {
		b, err := ParseBundle(raw)
		if err == nil {
			var signer string
			if signer, err = check.CheckBundle(b, want); err == nil {
				if out.Signer == "" {
					out.Signer, out.Identity = signer, digest.Context().Name()
				}
				// Printed as cosign prints the first form's payloads.
				out.Payloads = append(out.Payloads, Payload{Critical: payloadCritical(digest)})
				continue
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if len(out.Payloads) == 0 {
		return Verified{}, fmt.Errorf("%s: %w: %w", digest, ErrNotVerified, firstErr)
	}
	out.Digest = digest
	return out, nil
}

func payloadCritical(digest name.Digest) payload.Critical {
	return payload.Critical{
		Identity: payload.Identity{DockerReference: digest.Context().Name()},
		Image:    payload.Image{DockerManifestDigest: digest.DigestStr()},
		Type:     payload.CosignSignatureType,
	}
}

// artifactDigest is the policy that the bundle signs digest.
func artifactDigest(digest v1.Hash) (verify.ArtifactPolicyOption, error) {
	raw, err := hex.DecodeString(digest.Hex)
	if err != nil {
		return nil, fmt.Errorf("digest %s: %w", digest, err)
	}
	return verify.WithArtifactDigest(digest.Algorithm, raw), nil
}

// CheckBundle verifies a bundle signed with the key.
func (k KeyChecker) CheckBundle(b verify.SignedEntity, digest v1.Hash) (string, error) {
	material := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return root.NewExpiringKey(k.Verifier, time.Time{}, time.Time{}), nil
	})
	v, err := verify.NewVerifier(material, verify.WithNoObserverTimestamps())
	if err != nil {
		return "", err
	}
	art, err := artifactDigest(digest)
	if err != nil {
		return "", err
	}
	if _, err := v.Verify(b, verify.NewPolicy(art, verify.WithKey())); err != nil {
		return "", fmt.Errorf("bundle does not verify with the key %s: %w", KeyID(k.Public), err)
	}
	return KeyID(k.Public), nil
}

// CheckBundle verifies a keyless bundle.
func (c CertChecker) CheckBundle(b verify.SignedEntity, digest v1.Hash) (string, error) {
	art, err := artifactDigest(digest)
	if err != nil {
		return "", err
	}
	return c.verifyBundle(b, art)
}
