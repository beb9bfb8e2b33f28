package image

import (
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestChainIDs(t *testing.T) {
	// The example of the OCI image spec (config.md, "Layer ChainID").
	a := v1.Hash{Algorithm: "sha256", Hex: "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"}
	b := v1.Hash{Algorithm: "sha256", Hex: "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}
	got := ChainIDs([]v1.Hash{a, b})
	if got[0] != a {
		t.Errorf("first chain ID = %v, want the diff ID %v", got[0], a)
	}
	// sha256 of "sha256:5f70... sha256:a3ed...", computed with sha256sum.
	if want := "be4f95a8aeb2031aac7c2c325e9e0fa1bc655214723f0aae68df5922df54b646"; got[1].Hex != want {
		t.Errorf("second chain ID = %v, want sha256:%s", got[1], want)
	}
}

func TestFamiliar(t *testing.T) {
	tests := []struct{ in, full, repo, tag string }{
		{"busybox", "index.docker.io/library/busybox:latest", "busybox", "latest"},
		{"me/app:1.0", "index.docker.io/me/app:1.0", "me/app", "1.0"},
		{"localhost:5000/app:v2", "localhost:5000/app:v2", "localhost:5000/app", "v2"},
		{"localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app", "latest"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			ref, err := ParseReference(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if ref.Name() != tc.full {
				t.Errorf("Name = %q, want %q", ref.Name(), tc.full)
			}
			repo, tag := SplitFamiliar(ref.Name())
			if repo != tc.repo || tag != tc.tag {
				t.Errorf("SplitFamiliar = %q %q, want %q %q", repo, tag, tc.repo, tc.tag)
			}
		})
	}
}
