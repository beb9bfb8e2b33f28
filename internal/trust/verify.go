package trust

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Errors callers tell apart.
var (
	ErrNoSignature = errors.New("no signature")
	ErrNotVerified = errors.New("not verified")
)

// Checker decides whether one signature was made by a signer the caller
// trusts; it returns who signed (a key's fingerprint, a certificate's
// identity).
type Checker interface {
	Check(sig Signature) (signer string, err error)
}

// KeyChecker trusts signatures made with one public key, as
// `cosign verify --key` does.
type KeyChecker struct {
	Verifier signature.Verifier
	Public   crypto.PublicKey
}

// Check verifies the signature over the payload with the key.
func (k KeyChecker) Check(sig Signature) (string, error) {
	if err := k.Verifier.VerifySignature(bytes.NewReader(sig.Signature), bytes.NewReader(sig.Payload)); err != nil {
		return "", fmt.Errorf("signature does not verify with the key %s", KeyID(k.Public))
	}
	return KeyID(k.Public), nil
}

// KeyID names a public key by the SHA-256 of its DER encoding.
func KeyID(pub crypto.PublicKey) string {
	der, err := cryptoutils.MarshalPublicKeyToDER(pub)
	if err != nil {
		return "unknown key"
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Verified is what a verification established.
type Verified struct {
	Digest   name.Digest // the manifest digest the signatures name
	Signer   string      // the key's fingerprint or the certificate's identity
	Identity string      // the docker-reference the signer claimed
	Payloads []Payload   // every payload that verified, as cosign prints them
}

// Verify verifies the signatures of the image ref names now, in its
// registry. It succeeds when at least one signature, of either form,
// verifies with check and names that image's digest.
func (r Registry) Verify(ctx context.Context, ref name.Reference, check Checker) (Verified, error) {
	digest, err := r.Resolve(ctx, ref)
	if err != nil {
		return Verified{}, err
	}
	return r.VerifyDigest(ctx, digest, check)
}

// VerifyDigest verifies the signatures of digest in its registry: the
// sha256-<digest>.sig tag's, and the Sigstore bundles that refer to it
// when check can read them.
func (r Registry) VerifyDigest(ctx context.Context, digest name.Digest, check Checker) (Verified, error) {
	var tagged Verified
	var tagErr error
	sigImg, err := r.signatureImage(ctx, digest)
	switch {
	case errors.Is(err, errNoSignatureImage):
		tagErr = fmt.Errorf("%w for %s", ErrNoSignature, digest)
	case err != nil:
		return Verified{}, err
	default:
		tagged, tagErr = VerifyImage(sigImg, digest, check)
	}
	bc, ok := check.(BundleChecker)
	if !ok {
		return tagged, tagErr
	}
	bundles, err := r.bundles(ctx, digest)
	if err != nil {
		if tagErr == nil {
			return tagged, nil
		}
		return Verified{}, err
	}
	referred, refErr := VerifyBundles(bundles, digest, bc)
	switch {
	case tagErr == nil && refErr == nil:
		tagged.Payloads = append(tagged.Payloads, referred.Payloads...)
		return tagged, nil
	case tagErr == nil:
		return tagged, nil
	case refErr == nil:
		return referred, nil
	case errors.Is(tagErr, ErrNoSignature):
		return Verified{}, refErr // the more telling of the two
	default:
		return Verified{}, tagErr
	}
}

// VerifyImage verifies the signatures a signature image holds for digest.
func VerifyImage(sigImg v1.Image, digest name.Digest, check Checker) (Verified, error) {
	sigs, err := readSignatures(sigImg)
	if err != nil {
		return Verified{}, fmt.Errorf("signatures of %s: %w", digest, err)
	}
	if len(sigs) == 0 {
		return Verified{}, fmt.Errorf("%w for %s", ErrNoSignature, digest)
	}
	want, err := v1.NewHash(digest.DigestStr())
	if err != nil {
		return Verified{}, fmt.Errorf("digest %s: %w", digest, err)
	}
	var out Verified
	var firstErr error
	for _, sig := range sigs {
		p, err := verifyOne(sig, want, check, &out)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		out.Payloads = append(out.Payloads, p)
	}
	if len(out.Payloads) == 0 {
		return Verified{}, fmt.Errorf("%s: %w: %w", digest, ErrNotVerified, firstErr)
	}
	out.Digest = digest
	return out, nil
}

// verifyOne checks the signature first and parses the payload only once
// it is known to come from a trusted signer.
func verifyOne(sig Signature, want v1.Hash, check Checker, out *Verified) (Payload, error) {
	if len(sig.Payload) > MaxPayload {
		return Payload{}, fmt.Errorf("%w: payload over the %d-byte limit", ErrMalformed, MaxPayload)
	}
	signer, err := check.Check(sig)
	if err != nil {
		return Payload{}, err
	}
	p, got, err := ParsePayload(sig.Payload)
	if err != nil {
		return Payload{}, err
	}
	if got != want {
		return Payload{}, fmt.Errorf("signature is for another image, %s", got)
	}
	if out.Signer == "" {
		out.Signer, out.Identity = signer, p.Critical.Identity.DockerReference
	}
	return p, nil
}
