package trust

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/wardproject/ward/internal/trust/keys"
	"github.com/wardproject/ward/internal/trust/policy"
	"github.com/wardproject/ward/internal/trust/record"
)

// ErrRejected is a trust policy's reject.
var ErrRejected = errors.New("rejected by the trust policy")

// DigestVerifier verifies the signatures of a digest with a checker:
// the registry's (Registry.VerifyDigest), or ward's store's.
type DigestVerifier func(digest name.Digest, check Checker) (Verified, error)

// RegistryVerifier verifies against the image's registry, both forms.
func (r Registry) RegistryVerifier(ctx context.Context) DigestVerifier {
	return func(digest name.Digest, check Checker) (Verified, error) { return r.VerifyDigest(ctx, digest, check) }
}

// ImageVerifier verifies against a signature image (ward's store's).
func ImageVerifier(sigImg func() (v1.Image, error)) DigestVerifier {
	return func(digest name.Digest, check Checker) (Verified, error) {
		img, err := sigImg()
		if err != nil {
			return Verified{}, err
		}
		return VerifyImage(img, digest, check)
	}
}

// VerifyPolicy verifies digest, which the user names used, against the
// requirements pol has for used: every sigstoreSigned requirement must
// be met by a signature that verifies with its key and claims an identity
// its signedIdentity accepts. It returns the record to keep; the caller
// fills Manifest (the stored image's own digest) and Source.
func VerifyPolicy(pol *policy.Policy, used name.Reference, digest name.Digest, verifyWith DigestVerifier) (record.Trust, error) {
	reqs, scope := pol.For(used)
	if reqs.Rejects() {
		return record.Trust{}, fmt.Errorf("%s: %w (%s)", used, ErrRejected, scope)
	}
	fp, err := reqs.Fingerprint()
	if err != nil {
		return record.Trust{}, fmt.Errorf("trust policy %s, %s: %w", pol.Path, scope, err)
	}
	rec := record.Trust{Digest: digest.DigestStr(), VerifiedAt: time.Now().UTC(), Scope: scope.String(), Policy: fp, Reference: used.Name()}
	if !reqs.NeedsSignature() {
		return rec, nil
	}
	for _, r := range reqs {
		if r.Type != policy.TypeSigstoreSigned {
			continue
		}
		check, err := requirementChecker(r)
		if err != nil {
			return record.Trust{}, fmt.Errorf("trust policy %s, %s: %w", pol.Path, scope, err)
		}
		v, err := verifyWith(digest, identityChecker{check, r, used})
		if err != nil {
			return record.Trust{}, err
		}
		if rec.Signer == "" {
			rec.Signer, rec.Identity = v.Signer, v.Identity
		}
	}
	return rec, nil
}

func requirementChecker(r policy.Requirement) (Checker, error) {
	if r.Fulcio != nil {
		return fulcioChecker(r)
	}
	pem := r.KeyData
	if r.KeyPath != "" {
		b, err := keys.ReadFile(r.KeyPath)
		if err != nil {
			return nil, err
		}
		pem = b
	}
	v, pub, err := keys.ParsePublic(pem)
	if err != nil {
		return nil, fmt.Errorf("sigstoreSigned key: %w", err)
	}
	return KeyChecker{Verifier: v, Public: pub}, nil
}

// fulcioChecker trusts certificates of the requirement's CA naming its
// subject email and OIDC issuer exactly; with a Rekor key, a log entry
// with an inclusion proof is required too.
func fulcioChecker(r policy.Requirement) (Checker, error) {
	caPEM := r.Fulcio.CAData
	if r.Fulcio.CAPath != "" {
		b, err := keys.ReadFile(r.Fulcio.CAPath)
		if err != nil {
			return nil, err
		}
		caPEM = b
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(caPEM)
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("fulcio CA: no PEM certificate")
	}
	ca := &root.FulcioCertificateAuthority{}
	for _, c := range certs {
		if bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			ca.Root = c
		} else {
			ca.Intermediates = append(ca.Intermediates, c)
		}
	}
	if ca.Root == nil {
		return nil, fmt.Errorf("fulcio CA: no self-signed root among its certificates")
	}
	logs := map[string]*root.TransparencyLog{}
	rekorPEM := r.RekorPublicKeyData
	if r.RekorPublicKeyPath != "" {
		b, err := keys.ReadFile(r.RekorPublicKeyPath)
		if err != nil {
			return nil, err
		}
		rekorPEM = b
	}
	if len(rekorPEM) > 0 {
		pub, err := cryptoutils.UnmarshalPEMToPublicKey(rekorPEM)
		if err != nil {
			return nil, fmt.Errorf("rekor public key: %w", err)
		}
		der, err := cryptoutils.MarshalPublicKeyToDER(pub)
		if err != nil {
			return nil, fmt.Errorf("rekor public key: %w", err)
		}
		id := sha256.Sum256(der)
		logs[hex.EncodeToString(id[:])] = &root.TransparencyLog{ID: id[:], HashFunc: crypto.SHA256, PublicKey: pub, SignatureHashFunc: crypto.SHA256}
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, []root.CertificateAuthority{ca}, nil, nil, logs)
	if err != nil {
		return nil, err
	}
	id, err := verify.NewShortCertificateIdentity(r.Fulcio.OIDCIssuer, "", r.Fulcio.SubjectEmail, "")
	if err != nil {
		return nil, fmt.Errorf("fulcio identity: %w", err)
	}
	return CertChecker{Root: tr, Identity: id, RequireTlog: len(logs) > 0}, nil
}

// identityChecker adds the signedIdentity check to a key check: the
// payload is parsed only after its signature verified.
type identityChecker struct {
	Checker
	req  policy.Requirement
	used name.Reference
}

// CheckBundle verifies a bundle with the key. A bundle's statement names
// the digest only: the identity is the repository it was found in, which
// signedIdentity is matched against.
func (c identityChecker) CheckBundle(b verify.SignedEntity, digest v1.Hash) (string, error) {
	bc, ok := c.Checker.(BundleChecker)
	if !ok {
		return "", errors.New("bundles are not read for this requirement")
	}
	if err := c.req.MatchIdentity(c.used, c.used.Context().Name()); err != nil {
		return "", err
	}
	return bc.CheckBundle(b, digest)
}

func (c identityChecker) Check(sig Signature) (string, error) {
	signer, err := c.Checker.Check(sig)
	if err != nil {
		return "", err
	}
	p, _, err := ParsePayload(sig.Payload)
	if err != nil {
		return "", err
	}
	if err := c.req.MatchIdentity(c.used, p.Critical.Identity.DockerReference); err != nil {
		return "", err
	}
	return signer, nil
}
