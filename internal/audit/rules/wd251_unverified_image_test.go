package rules

import (
	"testing"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

func TestUnverifiedImage(t *testing.T) {
	img := func(trust *workload.Trust) workload.Workload {
		w := hardened(workload.KindImage)
		w.Image = "registry.example.com/app:1"
		w.Trust = trust
		return w
	}
	runCases(t, UnverifiedImage, audit.Settings{}, []ruleCase{
		{"no trust policy", img(nil), 0},
		{"verified", img(&workload.Trust{Verified: true, Signer: "sha256:ab"}), 0},
		{"not verified", img(&workload.Trust{}), 1},
		{"refused", img(&workload.Trust{Refusal: "no signature"}), 1},
	})
	// A verified signature answers the image-trust item even from a
	// registry outside the trusted list.
	s := audit.Settings{TrustedRegistries: []string{"ghcr.io/org"}}
	runCases(t, UntrustedRegistry, s, []ruleCase{
		{"verified, untrusted registry", img(&workload.Trust{Verified: true}), 0},
		{"unverified, untrusted registry", img(&workload.Trust{}), 1},
	})
}
