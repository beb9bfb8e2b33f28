package trust

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/wardproject/ward/internal/trust/trusttest"
)

// leaf issues a certificate from authority and returns its signer.
func leaf(t testing.TB, authority *trusttest.CA, identity, issuer string, notBefore time.Time) (signature.Signer, Certificate) {
	t.Helper()
	l := authority.Issue(t, identity, issuer, notBefore)
	signer, err := signature.LoadECDSASignerVerifier(l.Key, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return signer, Certificate{Cert: l.Cert, Chain: l.Chain}
}

func TestKeyless(t *testing.T) {
	ctx := context.Background()
	host := testRegistry(t)
	reg := Registry{}
	authority := trusttest.NewCA(t)
	const who, issuer = "dev@example.com", "https://issuer.example"

	good := pushRandom(t, host+"/good:1")
	signer, cert := leaf(t, authority, who, issuer, time.Now().Add(-time.Minute))
	if _, err := reg.Sign(ctx, good, signer, cert); err != nil {
		t.Fatal(err)
	}
	expired := pushRandom(t, host+"/old:1")
	oldSigner, oldCert := leaf(t, authority, who, issuer, time.Now().Add(-time.Hour))
	if _, err := reg.Sign(ctx, expired, oldSigner, oldCert); err != nil {
		t.Fatal(err)
	}
	keySigned := pushRandom(t, host+"/keyed:1")
	keySigner, _ := newKey(t)
	if _, err := reg.Sign(ctx, keySigned, keySigner, Certificate{}); err != nil {
		t.Fatal(err)
	}
	// A certificate for another key than the one signing is refused at
	// signing time.
	if _, err := reg.Sign(ctx, good, keySigner, cert); err == nil || !strings.Contains(err.Error(), "not for the signing key") {
		t.Fatalf("certificate of another key: got %v", err)
	}
	other := trusttest.NewCA(t)

	check := func(t *testing.T, trusted []byte, id, iss string) Checker {
		c, err := NewCertChecker(trusted, id, "", iss, "", false)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	v, err := reg.Verify(ctx, good, check(t, authority.TrustedRoot, who, issuer))
	if err != nil {
		t.Fatal(err)
	}
	if v.Signer != who+" ("+issuer+")" {
		t.Fatalf("signer %q", v.Signer)
	}
	if _, err := reg.Verify(ctx, good, func() Checker {
		c, err := NewCertChecker(authority.TrustedRoot, "", `.*@example\.com$`, "", `^https://issuer\.`, false)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}()); err != nil {
		t.Fatalf("regular expressions: %v", err)
	}
	for name, tc := range map[string]struct {
		digest   string
		trusted  []byte
		id, iss  string
		contains string
	}{
		"expired certificate":        {expired.String(), authority.TrustedRoot, who, issuer, "expired"},
		"identity does not match":    {good.String(), authority.TrustedRoot, "eve@example.com", issuer, "SAN"},
		"issuer does not match":      {good.String(), authority.TrustedRoot, who, "https://other.example", "issuer"},
		"another CA":                 {good.String(), other.TrustedRoot, who, issuer, "certificate"},
		"signed with a key, no cert": {keySigned.String(), authority.TrustedRoot, who, issuer, "no certificate"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := reg.Verify(ctx, parseRef(t, tc.digest), check(t, tc.trusted, tc.id, tc.iss))
			if !errors.Is(err, ErrNotVerified) || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.contains)) {
				t.Fatalf("got %v, want a refusal mentioning %q", err, tc.contains)
			}
		})
	}
	if _, err := NewCertChecker([]byte("{"), who, "", issuer, "", false); err == nil {
		t.Fatal("malformed trusted root accepted")
	}
	if _, err := NewCertChecker(authority.TrustedRoot, "", "", issuer, "", false); err == nil {
		t.Fatal("no identity accepted")
	}
}

// TestTransparencyLog: with RequireTlog, a bundle must carry a Rekor entry
// whose inclusion proof verifies offline against the trusted root's log
// key (sigstore-go's testing CA makes the log, the entry and the proof);
// a bundle without one is refused.
func TestTransparencyLog(t *testing.T) {
	const who, issuer = "dev@example.com", "https://issuer.example"
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	d := parseRef(t, "registry.example/app@sha256:"+strings.Repeat("c", 64)).(name.Digest)
	h, _ := v1.NewHash(d.DigestStr())
	stmt, err := json.Marshal(statement{Type: inTotoStatementType,
		Subject: []statementDigest{{Digest: map[string]string{"sha256": h.Hex}}}, PredicateType: CosignSignPredicate})
	if err != nil {
		t.Fatal(err)
	}
	id, err := verify.NewShortCertificateIdentity(issuer, "", who, "")
	if err != nil {
		t.Fatal(err)
	}
	check := CertChecker{Root: vs, Identity: id, RequireTlog: true}
	entity, err := vs.AttestAtTime(who, issuer, stmt, time.Now().Add(5*time.Minute), true)
	if err != nil {
		t.Fatal(err)
	}
	if !entity.HasInclusionProof() {
		t.Fatal("the test entity has no inclusion proof")
	}
	if signer, err := check.CheckBundle(entity, h); err != nil || signer != who+" ("+issuer+")" {
		t.Fatalf("logged signature: %q, %v", signer, err)
	}
	// Present, the entry is checked even when not required.
	if _, err := (CertChecker{Root: vs, Identity: id}).CheckBundle(entity, h); err != nil {
		t.Fatalf("logged signature, log not required: %v", err)
	}
	other, _ := v1.NewHash("sha256:" + strings.Repeat("d", 64))
	if _, err := check.CheckBundle(entity, other); err == nil {
		t.Fatal("a logged signature of another digest verified")
	}
	// A bundle without a log entry, when the log is required.
	authority := trusttest.NewCA(t)
	s, cert := leaf(t, authority, who, issuer, time.Now().Add(-time.Minute))
	b, err := NewBundle(d, s, cert)
	if err != nil {
		t.Fatal(err)
	}
	bun, err := ParseBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := root.NewTrustedRootFromJSON(authority.TrustedRoot)
	if err != nil {
		t.Fatal(err)
	}
	unlogged := CertChecker{Root: tr, Identity: id, RequireTlog: true}
	if _, err := unlogged.CheckBundle(bun, h); err == nil {
		t.Fatal("a bundle without a log entry verified where the log is required")
	}
	unlogged.RequireTlog = false
	if _, err := unlogged.CheckBundle(bun, h); err != nil {
		t.Fatalf("the same bundle, log not required: %v", err)
	}
}
