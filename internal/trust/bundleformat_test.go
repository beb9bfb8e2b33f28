package trust

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"

	"github.com/wardproject/ward/internal/trust/trusttest"
)

func TestBundleFormat(t *testing.T) {
	ctx := context.Background()
	host := testRegistry(t)
	reg := Registry{}
	signer, check := newKey(t)
	_, otherCheck := newKey(t)

	d := pushRandom(t, host+"/bundled:1")
	if _, err := reg.SignBundle(ctx, d, signer, Certificate{}); err != nil {
		t.Fatal(err)
	}
	v, err := reg.Verify(ctx, parseRef(t, host+"/bundled:1"), check)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Payloads) != 1 || v.Payloads[0].Critical.Image.DockerManifestDigest != d.DigestStr() || v.Signer != KeyID(check.Public) {
		t.Fatalf("verified %+v", v)
	}
	if _, err := reg.Verify(ctx, d, otherCheck); !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "does not verify with the key") {
		t.Fatalf("wrong key: got %v", err)
	}
	// Both forms on one image: both payloads.
	if _, err := reg.Sign(ctx, d, signer, Certificate{}); err != nil {
		t.Fatal(err)
	}
	if v, err := reg.Verify(ctx, d, check); err != nil || len(v.Payloads) != 2 {
		t.Fatalf("both forms: %+v, %v", v, err)
	}

	t.Run("another image's bundle", func(t *testing.T) {
		other := pushRandom(t, host+"/bundled:other")
		b, err := NewBundle(d, signer, Certificate{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = VerifyBundles([][]byte{b}, other, check)
		if !errors.Is(err, ErrNotVerified) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("keyless", func(t *testing.T) {
		authority := trusttest.NewCA(t)
		kd := pushRandom(t, host+"/keyless:1")
		s, cert := leaf(t, authority, "dev@example.com", "https://issuer.example", time.Now().Add(-time.Minute))
		if _, err := reg.SignBundle(ctx, kd, s, cert); err != nil {
			t.Fatal(err)
		}
		cc, err := NewCertChecker(authority.TrustedRoot, "dev@example.com", "", "https://issuer.example", "", false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := reg.Verify(ctx, kd, cc); err != nil {
			t.Fatal(err)
		}
		eve, _ := NewCertChecker(authority.TrustedRoot, "eve@example.com", "", "https://issuer.example", "", false)
		if _, err := reg.Verify(ctx, kd, eve); !errors.Is(err, ErrNotVerified) {
			t.Fatalf("another identity: got %v", err)
		}
	})
	t.Run("malformed and over-size bundles", func(t *testing.T) {
		for name, content := range map[string][]byte{
			"not JSON":   []byte("{"),
			"not bundle": []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`),
			"over limit": make([]byte, MaxPayload+1),
		} {
			t.Run(name, func(t *testing.T) {
				md := pushRandom(t, host+"/malformed:"+strings.ReplaceAll(name, " ", "-"))
				putReferrer(t, md, content)
				_, err := reg.Verify(ctx, md, check)
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("got %v, want ErrMalformed", err)
				}
			})
		}
	})
}

// putReferrer stores content as a bundle referring to d.
func putReferrer(t *testing.T, d name.Digest, content []byte) {
	t.Helper()
	desc, err := remote.Head(d)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.Append(EmptySignatureImage(), mutate.Addendum{Layer: static.NewLayer(content, bundleMediaType), MediaType: bundleMediaType})
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.Subject(img, v1.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}).(v1.Image)
	h, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(d.Context().Digest(h.String()), img); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseBundle(f *testing.F) {
	signer, _ := newKey(f)
	d := parseRef(f, "example.com/app@sha256:"+strings.Repeat("a", 64)).(name.Digest)
	b, err := NewBundle(d, signer, Certificate{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		if bun, err := ParseBundle(in); err == nil && bun == nil {
			t.Fatal("nil bundle without error")
		}
	})
}
