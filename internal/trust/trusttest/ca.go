// Package trusttest makes what keyless tests need: a certificate
// authority of the test's own, the trusted root (trusted_root.json) that
// pins it, and code-signing certificates it issues, with sigstore-go's
// testing CA. Only tests import it.
package trusttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
)

// CA is a root and an intermediate, pinned by TrustedRoot.
type CA struct {
	Root, Intermediate *x509.Certificate
	intermediateKey    crypto.Signer
	TrustedRoot        []byte // trusted_root.json
}

// NewCA makes a certificate authority and its trusted root.
func NewCA(t testing.TB) *CA {
	t.Helper()
	rootCert, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		t.Fatal(err)
	}
	inter, interKey, err := ca.GenerateFulcioIntermediate(rootCert, rootKey)
	if err != nil {
		t.Fatal(err)
	}
	fulcio := &root.FulcioCertificateAuthority{Root: rootCert, Intermediates: []*x509.Certificate{inter},
		ValidityPeriodStart: time.Now().Add(-time.Hour), URI: "https://ca.test"}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, []root.CertificateAuthority{fulcio}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	js, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return &CA{Root: rootCert, Intermediate: inter, intermediateKey: interKey, TrustedRoot: js}
}

// Leaf is a key and its code-signing certificate.
type Leaf struct {
	Key   *ecdsa.PrivateKey
	Cert  []byte // PEM
	Chain []byte // PEM: the intermediate, then the root
}

// Issue makes a key and a certificate for it, valid from notBefore for
// ten minutes (Fulcio's lifetime), naming identity (an email) and issuer.
func (c *CA) Issue(t testing.TB, identity, issuer string, notBefore time.Time) Leaf {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.GenerateLeafCert(identity, issuer, notBefore, key, c.Intermediate, c.intermediateKey)
	if err != nil {
		t.Fatal(err)
	}
	return Leaf{Key: key, Cert: PEM(cert), Chain: PEM(c.Intermediate, c.Root)}
}

// PEM encodes certificates.
func PEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}
