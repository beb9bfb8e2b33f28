// Package enforce is trust in the engine: `ward pull` has ward-trust verify the signatures
// the trust policy asks for (the signature libraries live there) and
// keeps the record; `ward run` and `ward create` read only the policy and
// that record (package gate).
package enforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/registry"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/sibling"
	"github.com/wardproject/ward/internal/trust/gate"
	"github.com/wardproject/ward/internal/trust/localsig"
	"github.com/wardproject/ward/internal/trust/policy"
	"github.com/wardproject/ward/internal/trust/record"
)

// Policy reads the trust policy ward's config names; nil when it
// names none.
func Policy() (*policy.Policy, error) {
	cfg, err := engineconfig.Read()
	if err != nil || cfg.TrustPolicy == "" {
		return nil, err
	}
	return policy.Read(cfg.TrustPolicy)
}

// VerifyForPull verifies ref before it is pulled, when the trust policy
// asks for a signature. It returns what to pull (the verified digest, so
// that a tag moved meanwhile brings nothing else in) and the record to
// keep once the image is stored (nil when nothing was verified).
func VerifyForPull(ctx context.Context, ref name.Reference) (name.Reference, *record.Trust, error) {
	pol, err := Policy()
	if err != nil || pol == nil {
		return ref, nil, err
	}
	reqs, scope := pol.For(ref)
	if reqs.Rejects() {
		return nil, nil, fmt.Errorf("pull %s: rejected by the trust policy %s (%s)", ref, pol.Path, scope)
	}
	if !reqs.NeedsSignature() {
		return ref, nil, nil
	}
	digest, err := registry.Resolve(ctx, ref, registry.Options{})
	if err != nil {
		return nil, nil, err
	}
	out, err := sibling.Output("ward-trust", "trust-verify", "--trust-policy", pol.Path, "--name", ref.Name(), digest.String())
	if err != nil {
		return nil, nil, fmt.Errorf("pull %s: %w", ref, err)
	}
	var rec record.Trust
	if err := json.Unmarshal(out, &rec); err != nil {
		return nil, nil, fmt.Errorf("pull %s: verification record: %w", ref, err)
	}
	return digest, &rec, nil
}

// KeepVerification records rec under l for the image stored with manifest.
func KeepVerification(l rootdir.Layout, rec *record.Trust, manifest v1.Hash) error {
	if rec == nil {
		return nil
	}
	rec.Manifest, rec.Source = manifest.String(), "registry"
	return record.Write(l.Root(), *rec)
}

// Enforce refuses, before anything is made, an image that the trust
// policy in force does not accept (exit 125, as the other refusals).
// Under --policy restricted every image must have been verified, wherever
// a trust policy exists.
func Enforce(l rootdir.Layout, imageRef string, policyName string) error {
	pol, err := Policy()
	if err != nil || pol == nil {
		return err
	}
	s, err := open.Images(l)
	if err != nil {
		return err
	}
	img, err := s.Get(imageRef)
	if err != nil {
		return nil // Create reports the missing image as it always does
	}
	return gate.Check(l.Root(), pol, imageRef, img, policyName == "restricted")
}

// Of is the verification record under l of img, nil when it has none.
func Of(l rootdir.Layout, img *image.Image) (*record.Trust, error) {
	rec, ok, err := record.Read(l.Root(), img.Manifest)
	if err != nil || !ok {
		return nil, err
	}
	return &rec, nil
}

// PushSignatures sends the signatures ward's store keeps for the image
// whose manifest digest is digest, under the tag cosign reads
// (REPOSITORY:sha256-<hex>.sig); nothing when there are none.
func PushSignatures(ctx context.Context, l rootdir.Layout, out io.Writer, ref name.Reference, digest v1.Hash) error {
	sig, err := localsig.Read(l.Root(), digest)
	if errors.Is(err, localsig.ErrNone) {
		return nil
	}
	if err != nil {
		return err
	}
	tag := ref.Context().Tag(digest.Algorithm + "-" + digest.Hex + ".sig")
	if err := registry.Push(ctx, tag, sig, registry.Options{}); err != nil {
		return fmt.Errorf("push signatures of %s: %w", digest, err)
	}
	fmt.Fprintf(out, "%s: signatures pushed\n", tag.TagStr())
	return nil
}

// Prune removes the verification records and the signatures kept
// for manifests no image of the store has any more (after ward rmi), so
// that nothing of a removed image is left behind.
func Prune(l rootdir.Layout, s *store.Store) error {
	imgs, err := s.List()
	if err != nil {
		return err
	}
	keep := map[v1.Hash]bool{}
	for _, img := range imgs {
		keep[img.Manifest] = true
	}
	if err := record.Prune(l.Root(), keep); err != nil {
		return err
	}
	return localsig.Prune(l.Root(), keep)
}
