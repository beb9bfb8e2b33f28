package gate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/trust/policy"
	"github.com/wardproject/ward/internal/trust/record"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "k.pub")
	if err := os.WriteFile(key, []byte("key one"), 0o600); err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse([]byte(fmt.Sprintf(`{"default":[{"type":"insecureAcceptAnything"}],"transports":{
		"docker":{"registry.example/app":[{"type":"sigstoreSigned","keyPath":%q,"signedIdentity":{"type":"matchRepository"}}],
		          "registry.example/banned":[{"type":"reject"}]},
		"docker-archive":{"":[{"type":"reject"}]}}}`, key)))
	if err != nil {
		t.Fatal(err)
	}
	reqs, scope := pol.For(mustRef(t, "registry.example/app:1"))
	fp, err := reqs.Fingerprint()
	if err != nil {
		t.Fatal(err)
	}
	verified := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("1", 64)}
	unverified := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("2", 64)}
	if err := record.Write(dir, record.Trust{Signer: "sha256:k", Identity: "registry.example/app", Digest: verified.String(),
		Manifest: verified.String(), VerifiedAt: time.Now(), Scope: scope.String(), Policy: fp}); err != nil {
		t.Fatal(err)
	}
	claimsOther := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("3", 64)}
	if err := record.Write(dir, record.Trust{Signer: "sha256:k", Identity: "registry.example/evil", Digest: claimsOther.String(),
		Manifest: claimsOther.String(), VerifiedAt: time.Now(), Scope: scope.String(), Policy: fp}); err != nil {
		t.Fatal(err)
	}
	img := func(m v1.Hash, tags ...string) *image.Image { return &image.Image{Manifest: m, RepoTags: tags} }
	cases := []struct {
		name       string
		img        *image.Image
		restricted bool
		want       string // "" accepts
	}{
		{"verified", img(verified, "registry.example/app:1"), false, ""},
		{"verified, restricted", img(verified, "registry.example/app:1"), true, ""},
		{"unverified under sigstoreSigned", img(unverified, "registry.example/app:2"), false, "no verified signature"},
		{"unverified, run by another name", img(unverified, "elsewhere.example/x:1", "registry.example/app:2"), false, "no verified signature"},
		{"anything accepted", img(unverified, "elsewhere.example/x:1"), false, ""},
		{"restricted wants a verification", img(unverified, "elsewhere.example/x:1"), true, "no verified signature"},
		{"rejected scope", img(verified, "registry.example/banned:1"), false, "rejects every image"},
		{"no name", img(unverified), false, "rejects every image"},
		{"verified, also named outside the scope", img(verified, "registry.example/app-other:1", "registry.example/app:1"), false, ""},
		{"signature claims another repository", img(claimsOther, "registry.example/app:1"), false, "does not accept"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(dir, pol, "x", tc.img, tc.restricted)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var r *Refusal
			if !errors.As(err, &r) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a refusal with %q", err, tc.want)
			}
		})
	}
	// The same path holding another key: the old verification does not hold.
	if err := os.WriteFile(key, []byte("key two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Check(dir, pol, "x", img(verified, "registry.example/app:1"), false); err == nil || !strings.Contains(err.Error(), "another trust policy") {
		t.Fatalf("key replaced: got %v", err)
	}
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// BenchmarkGate is what ward run pays for the trust gate once the image
// store is open: read the policy file, read the record, judge the scope.
func BenchmarkGate(b *testing.B) {
	dir := b.TempDir()
	key := filepath.Join(dir, "k.pub")
	if err := os.WriteFile(key, []byte("a key"), 0o600); err != nil {
		b.Fatal(err)
	}
	polPath := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(polPath, []byte(fmt.Sprintf(`{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker":{
		"registry.example/app":[{"type":"sigstoreSigned","keyPath":%q,"signedIdentity":{"type":"matchRepository"}}]}}}`, key)), 0o600); err != nil {
		b.Fatal(err)
	}
	pol, err := policy.Read(polPath)
	if err != nil {
		b.Fatal(err)
	}
	r, _ := name.ParseReference("registry.example/app:1")
	reqs, scope := pol.For(r)
	fp, _ := reqs.Fingerprint()
	m := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("1", 64)}
	if err := record.Write(dir, record.Trust{Signer: "s", Identity: "registry.example/app", Digest: m.String(), Manifest: m.String(),
		Scope: scope.String(), Policy: fp}); err != nil {
		b.Fatal(err)
	}
	img := &image.Image{Manifest: m, RepoTags: []string{"registry.example/app:1"}}
	for b.Loop() {
		pol, err := policy.Read(polPath)
		if err != nil {
			b.Fatal(err)
		}
		if err := Check(dir, pol, "registry.example/app:1", img, false); err != nil {
			b.Fatal(err)
		}
	}
}
