package trust

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// bundleMediaType is the Sigstore bundle version ward reads and writes.
const bundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// CertChecker trusts keyless signatures: a certificate that chains to a
// certificate authority of a pinned trusted root (trusted_root.json, as
// sigstore distributes it) and names the expected identity and issuer.
// The check is sigstore-go's, offline. Without transparency log entries
// the certificate must be valid now (so an expired one is refused); with
// RequireTlog, a Rekor entry with its inclusion proof, checked against
// the trusted root's log keys, must show it was valid when it signed.
type CertChecker struct {
	Root        root.TrustedMaterial
	Identity    verify.CertificateIdentity
	RequireTlog bool
}

// NewCertChecker reads a trusted root and the identity to expect; the
// exact values or the regular expressions may be given, as cosign takes
// --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp].
func NewCertChecker(trustedRootJSON []byte, identity, identityRegexp, issuer, issuerRegexp string, requireTlog bool) (CertChecker, error) {
	if len(trustedRootJSON) > MaxPayload {
		return CertChecker{}, fmt.Errorf("trusted root is over %d bytes", MaxPayload)
	}
	tr, err := root.NewTrustedRootFromJSON(trustedRootJSON)
	if err != nil {
		return CertChecker{}, fmt.Errorf("trusted root: %w", err)
	}
	if identity == "" && identityRegexp == "" {
		return CertChecker{}, errors.New("keyless verification needs --certificate-identity or --certificate-identity-regexp")
	}
	if issuer == "" && issuerRegexp == "" {
		return CertChecker{}, errors.New("keyless verification needs --certificate-oidc-issuer or --certificate-oidc-issuer-regexp")
	}
	id, err := verify.NewShortCertificateIdentity(issuer, issuerRegexp, identity, identityRegexp)
	if err != nil {
		return CertChecker{}, fmt.Errorf("certificate identity: %w", err)
	}
	return CertChecker{Root: tr, Identity: id, RequireTlog: requireTlog}, nil
}

// verifier checks the log entries a signature carries when the trusted
// root has logs to check them against (and requires one under
// RequireTlog); otherwise the certificate must be valid now.
func (c CertChecker) verifier(entity verify.SignedEntity) (*verify.Verifier, error) {
	logged := false
	if entries, err := entity.TlogEntries(); err == nil && len(entries) > 0 && len(c.Root.RekorLogs()) > 0 {
		logged = true
	}
	if c.RequireTlog || logged {
		return verify.NewVerifier(c.Root, verify.WithTransparencyLog(1), verify.WithIntegratedTimestamps(1))
	}
	return verify.NewVerifier(c.Root, verify.WithCurrentTime())
}

// Check verifies a signature of cosign's first form whose layer carries
// the signing certificate: it is put in a bundle (message signature over
// the payload, the certificate as verification material) that
// sigstore-go verifies.
func (c CertChecker) Check(sig Signature) (string, error) {
	if len(sig.Cert) == 0 {
		return "", errors.New("signature has no certificate (signed with a key?)")
	}
	certs, err := cryptoutils.UnmarshalCertificatesFromPEM(sig.Cert)
	if err != nil || len(certs) == 0 {
		return "", fmt.Errorf("%w: signature certificate is not PEM", ErrMalformed)
	}
	// Without a log entry to date the signature, the certificate must be
	// valid now; say so plainly rather than as a failed chain.
	if now := time.Now(); !c.RequireTlog && now.After(certs[0].NotAfter) {
		return "", fmt.Errorf("certificate expired at %s", certs[0].NotAfter.UTC().Format(time.RFC3339))
	} else if !c.RequireTlog && now.Before(certs[0].NotBefore) {
		return "", fmt.Errorf("certificate is not valid before %s", certs[0].NotBefore.UTC().Format(time.RFC3339))
	}
	sum := sha256.Sum256(sig.Payload)
	pb := &protobundle.Bundle{
		MediaType: bundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: certs[0].Raw}},
		},
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: sum[:]},
			Signature:     sig.Signature,
		}},
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return c.verifyBundle(b, verify.WithArtifactDigest("sha256", sum[:]))
}

func (c CertChecker) verifyBundle(b verify.SignedEntity, artifact verify.ArtifactPolicyOption) (string, error) {
	v, err := c.verifier(b)
	if err != nil {
		return "", err
	}
	res, err := v.Verify(b, verify.NewPolicy(artifact, verify.WithCertificateIdentity(c.Identity)))
	if err != nil {
		if strings.Contains(err.Error(), "leaf certificate verification failed") {
			return "", fmt.Errorf("certificate does not chain to a certificate authority of the trusted root: %w", err)
		}
		return "", fmt.Errorf("certificate signature not verified: %w", err)
	}
	if res.Signature == nil || res.Signature.Certificate == nil {
		return "", errors.New("certificate signature not verified: no certificate in the result")
	}
	return res.Signature.Certificate.SubjectAlternativeName + " (" + res.Signature.Certificate.Issuer + ")", nil
}
