package trust

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/wardproject/ward/internal/trust/keys"
)

// testRegistry starts go-containerregistry's registry on loopback.
func testRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// pushRandom pushes a random image under ref and returns its digest.
func pushRandom(t *testing.T, ref string) name.Digest {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := parseRef(t, ref)
	if err := remote.Write(r, img, remote.WithContext(context.Background())); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return r.Context().Digest(d.String())
}

func parseRef(t testing.TB, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newKey(t testing.TB) (signature.SignerVerifier, KeyChecker) {
	t.Helper()
	pair, err := keys.Generate([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	sv, err := keys.ParsePrivate(pair.PrivatePEM, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	v, pub, err := keys.ParsePublic(pair.PublicPEM)
	if err != nil {
		t.Fatal(err)
	}
	return sv, KeyChecker{Verifier: v, Public: pub}
}

func TestSignVerify(t *testing.T) {
	ctx := context.Background()
	host := testRegistry(t)
	ref := host + "/app:1"
	digest := pushRandom(t, ref)
	signer, check := newKey(t)
	_, otherCheck := newKey(t)
	reg := Registry{}

	if _, err := reg.Verify(ctx, parseRef(t, ref), check); !errors.Is(err, ErrNoSignature) {
		t.Fatalf("unsigned: got %v, want ErrNoSignature", err)
	}
	got, err := reg.Sign(ctx, parseRef(t, ref), signer, Certificate{})
	if err != nil {
		t.Fatal(err)
	}
	if got != digest {
		t.Fatalf("signed %s, want %s", got, digest)
	}
	// Signing twice with the same key adds nothing (ECDSA signatures
	// differ, so this one adds a second layer; both verify).
	if _, err := reg.Sign(ctx, parseRef(t, ref), signer, Certificate{}); err != nil {
		t.Fatal(err)
	}
	v, err := reg.Verify(ctx, parseRef(t, ref), check)
	if err != nil {
		t.Fatal(err)
	}
	if v.Digest != digest || len(v.Payloads) != 2 || v.Identity != host+"/app" || v.Signer != KeyID(check.Public) {
		t.Fatalf("verified %+v", v)
	}
	if v.Payloads[0].Critical.Image.DockerManifestDigest != digest.DigestStr() {
		t.Fatalf("payload names %s", v.Payloads[0].Critical.Image.DockerManifestDigest)
	}
	// By digest too.
	if _, err := reg.Verify(ctx, digest, check); err != nil {
		t.Fatal(err)
	}

	t.Run("wrong key", func(t *testing.T) {
		_, err := reg.Verify(ctx, parseRef(t, ref), otherCheck)
		if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "does not verify with the key") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("tag moved after signing", func(t *testing.T) {
		moved := host + "/moved:1"
		pushRandom(t, moved)
		if _, err := reg.Sign(ctx, parseRef(t, moved), signer, Certificate{}); err != nil {
			t.Fatal(err)
		}
		pushRandom(t, moved) // the tag now names another, unsigned image
		if _, err := reg.Verify(ctx, parseRef(t, moved), check); !errors.Is(err, ErrNoSignature) {
			t.Fatalf("got %v, want ErrNoSignature", err)
		}
	})
	t.Run("another image's signature", func(t *testing.T) {
		other := pushRandom(t, host+"/app:other")
		// Copy app:1's signature image to the other image's signature tag.
		sigImg, err := reg.signatureImage(ctx, digest)
		if err != nil {
			t.Fatal(err)
		}
		tag, _ := SignatureTag(other)
		if err := remote.Write(tag, sigImg); err != nil {
			t.Fatal(err)
		}
		_, err = reg.Verify(ctx, other, check)
		if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "another image, "+digest.DigestStr()) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("modified manifest", func(t *testing.T) {
		// The same layers under another config: a new digest, which the
		// signature does not name.
		img, err := remote.Image(digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, _ := img.ConfigFile()
		cf.Config.User = "root"
		mod, err := mutate.ConfigFile(img, cf)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(parseRef(t, ref), mod); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { remote.Write(digest.Context().Tag("1"), mustImage(t, digest)) })
		if _, err := reg.Verify(ctx, parseRef(t, ref), check); !errors.Is(err, ErrNoSignature) {
			t.Fatalf("got %v, want ErrNoSignature", err)
		}
	})
}

func mustImage(t *testing.T, d name.Digest) v1.Image {
	img, err := remote.Image(d)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestMalformed: signature images that are not what they claim are
// refused with ErrMalformed, an over-size payload from its descriptor
// before anything is fetched.
func TestMalformed(t *testing.T) {
	ctx := context.Background()
	host := testRegistry(t)
	digest := pushRandom(t, host+"/app:1")
	_, check := newKey(t)
	tag, _ := SignatureTag(digest)
	layer := func(payload []byte, ann map[string]string) v1.Image {
		img, err := mutate.Append(EmptySignatureImage(), mutate.Addendum{
			Layer: static.NewLayer(payload, SimpleSigningMediaType), MediaType: SimpleSigningMediaType, Annotations: ann,
		})
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	big := make([]byte, MaxPayload+1)
	for name, img := range map[string]v1.Image{
		"no signature annotation": layer([]byte("{}"), nil),
		"signature not base64":    layer([]byte("{}"), map[string]string{SignatureAnnotation: "!!"}),
		"payload over the limit":  layer(big, map[string]string{SignatureAnnotation: "AAAA"}),
	} {
		t.Run(name, func(t *testing.T) {
			if err := remote.Write(tag, img); err != nil {
				t.Fatal(err)
			}
			_, err := Registry{}.Verify(ctx, digest, check)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
}

func TestParsePayload(t *testing.T) {
	d := parseRef(t, "example.com/app@sha256:"+strings.Repeat("a", 64)).(name.Digest)
	p, err := NewPayload(d, "")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"critical":{"identity":{"docker-reference":"example.com/app"},"image":{"docker-manifest-digest":"sha256:` +
		strings.Repeat("a", 64) + `"},"type":"cosign container image signature"},"optional":null}`
	if string(p) != want {
		t.Fatalf("payload\n got %s\nwant %s", p, want)
	}
	if _, h, err := ParsePayload(p); err != nil || h.String() != d.DigestStr() {
		t.Fatalf("ParsePayload: %v, %v", h, err)
	}
	for name, in := range map[string]string{
		"not JSON":      "{",
		"trailing data": want + "{}",
		"other type":    strings.Replace(want, "cosign container image signature", "atomic container signature", 1),
		"bad digest":    strings.Replace(want, "sha256:", "sha256:zz", 1),
		"over limit":    want + strings.Repeat(" ", MaxPayload),
	} {
		if _, _, err := ParsePayload([]byte(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func FuzzParsePayload(f *testing.F) {
	d := parseRef(f, "example.com/app@sha256:"+strings.Repeat("a", 64)).(name.Digest)
	p, _ := NewPayload(d, "example.com/app:1")
	f.Add(p)
	f.Add([]byte(`{"critical":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		pl, h, err := ParsePayload(b)
		if err != nil {
			return
		}
		if pl.Critical.Type != "cosign container image signature" || h.Hex == "" {
			t.Fatalf("accepted %q as %+v", b, pl)
		}
	})
}
