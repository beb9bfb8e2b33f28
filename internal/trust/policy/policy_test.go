package policy

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

const example = `{
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "registry.example/team": [{"type": "insecureAcceptAnything"}],
      "registry.example/team/app": [{"type": "sigstoreSigned", "keyData": "LS0t", "signedIdentity": {"type": "matchRepository"}}],
      "registry.example/team/app:dev": [{"type": "insecureAcceptAnything"}],
      "docker.io/library/busybox": [{"type": "insecureAcceptAnything"}]
    },
    "docker-archive": {"": [{"type": "reject"}]}
  }
}`

func TestFor(t *testing.T) {
	p, err := Parse([]byte(example))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ ref, scope, typ string }{
		{"registry.example/team/app:1", "docker:registry.example/team/app", TypeSigstoreSigned},
		{"registry.example/team/app@sha256:" + strings.Repeat("1", 64), "docker:registry.example/team/app", TypeSigstoreSigned},
		{"registry.example/team/app:dev", "docker:registry.example/team/app:dev", TypeAcceptAnything},
		{"registry.example/team/other:1", "docker:registry.example/team", TypeAcceptAnything},
		{"registry.example/teammate:1", "default", TypeReject},
		{"busybox", "docker:docker.io/library/busybox", TypeAcceptAnything},
		{"elsewhere.example/x:1", "default", TypeReject},
	}
	for _, tc := range cases {
		ref, err := name.ParseReference(tc.ref)
		if err != nil {
			t.Fatal(err)
		}
		reqs, scope := p.For(ref)
		if scope.String() != tc.scope || reqs[0].Type != tc.typ {
			t.Errorf("%s: got %s %s, want %s %s", tc.ref, scope, reqs[0].Type, tc.scope, tc.typ)
		}
	}
	if reqs, scope := p.For(nil); scope.String() != "docker-archive" || !reqs.Rejects() {
		t.Errorf("no name: got %s %v", scope, reqs)
	}
}

func TestParseRefusals(t *testing.T) {
	for name, in := range map[string]string{
		"no default":        `{"transports":{}}`,
		"unknown field":     `{"default":[{"type":"reject"}],"extra":1}`,
		"unknown type":      `{"default":[{"type":"signedBy"}]}`,
		"unknown transport": `{"default":[{"type":"reject"}],"transports":{"atomic":{"x":[{"type":"reject"}]}}}`,
		"no key":            `{"default":[{"type":"sigstoreSigned"}]}`,
		"two keys":          `{"default":[{"type":"sigstoreSigned","keyPath":"/k","keyData":"LS0t"}]}`,
		"bad identity":      `{"default":[{"type":"sigstoreSigned","keyPath":"/k","signedIdentity":{"type":"remapIdentity"}}]}`,
		"empty list":        `{"default":[{"type":"reject"}],"transports":{"docker":{"x":[]}}}`,
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMatchIdentity(t *testing.T) {
	tag := name.MustParseReference("registry.example/app:1")
	dig, _ := name.ParseReference("registry.example/app@sha256:" + strings.Repeat("2", 64))
	cases := []struct {
		identity SignedIdentity
		used     name.Reference
		claimed  string
		ok       bool
	}{
		{SignedIdentity{Type: "matchRepository"}, tag, "registry.example/app", true},
		{SignedIdentity{Type: "matchRepository"}, tag, "registry.example/app:2", true},
		{SignedIdentity{Type: "matchRepository"}, tag, "registry.example/other", false},
		{SignedIdentity{Type: "matchRepoDigestOrExact"}, tag, "registry.example/app:1", true},
		{SignedIdentity{Type: "matchRepoDigestOrExact"}, tag, "registry.example/app", false},
		{SignedIdentity{Type: "matchRepoDigestOrExact"}, dig, "registry.example/app", true},
		{SignedIdentity{Type: "matchExact"}, tag, "registry.example/app:1", true},
		{SignedIdentity{Type: "matchExact"}, tag, "registry.example/app:2", false},
		{SignedIdentity{Type: "exactRepository", DockerRepository: "mirror.example/app"}, tag, "mirror.example/app", true},
		{SignedIdentity{Type: "exactReference", DockerReference: "mirror.example/app:1"}, tag, "mirror.example/app:1", true},
		{SignedIdentity{Type: "exactReference", DockerReference: "mirror.example/app:1"}, tag, "mirror.example/app:2", false},
		{SignedIdentity{Type: "matchRepository"}, tag, "not a name!", false},
	}
	for _, tc := range cases {
		r := Requirement{Type: TypeSigstoreSigned, SignedIdentity: &tc.identity}
		if err := r.MatchIdentity(tc.used, tc.claimed); (err == nil) != tc.ok {
			t.Errorf("%s, used %s, claimed %q: got %v, want ok=%v", tc.identity.Type, tc.used, tc.claimed, err, tc.ok)
		}
	}
}
