package trust

import (
	"context"
	"crypto"
	"errors"
	"strings"
	"testing"
	"time"

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
