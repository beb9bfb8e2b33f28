// Package gate decides, before `ward run` or `ward create` makes
// anything, whether the image about to run may run under the trust policy
// in force: from the policy file and the stored verification record of
// the image's manifest digest, without any signature library (verifying
// is ward-audit's, at pull or with ward verify --local).
package gate

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/trust/policy"
	"github.com/wardproject/ward/internal/trust/record"
)

// Refusal is a trust policy's refusal: the rule and how to satisfy it.
type Refusal struct {
	Image string
	Scope policy.Scope
	Why   string
	Fix   string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("image %s refused by trust policy (%s): %s; %s", r.Image, r.Scope, r.Why, r.Fix)
}

// Check judges img, which the user named used, under pol. Every name the
// image carries is judged, not only the one used: an image is trusted for
// what it is (its manifest digest), so running it by ID or by another tag
// cannot step around the scope of a name it holds. Under requireVerified
// (--policy restricted), every image must have a verification record,
// even where the scope accepts anything.
func Check(root string, pol *policy.Policy, used string, img *image.Image, requireVerified bool) error {
	var names []name.Reference
	for _, s := range append(append([]string{}, img.RepoTags...), img.RepoDigests...) {
		if r, err := name.ParseReference(s); err == nil {
			names = append(names, r)
		}
	}
	if len(names) == 0 {
		names = []name.Reference{nil} // no name: the docker-archive scope, else default
	}
	var rec record.Trust
	var haveRec bool
	loadRec := func() error {
		if haveRec {
			return nil
		}
		r, ok, err := record.Read(root, img.Manifest)
		if err != nil {
			return err
		}
		rec, haveRec = r, ok
		return nil
	}
	for _, n := range names {
		reqs, scope := pol.For(n)
		label := used
		if n != nil {
			label = image.Familiar(n.Name())
		}
		if reqs.Rejects() {
			return &Refusal{Image: label, Scope: scope, Why: "the scope rejects every image",
				Fix: "change the trust policy " + pol.Path + " to accept it"}
		}
		if !reqs.NeedsSignature() && !requireVerified {
			continue
		}
		if err := loadRec(); err != nil {
			return err
		}
		if !haveRec {
			return &Refusal{Image: label, Scope: scope, Why: "digest " + img.Manifest.String() + " has no verified signature",
				Fix: "pull it from a registry where it is signed (ward pull verifies it), or verify it with ward verify --local"}
		}
		if !reqs.NeedsSignature() {
			continue // restricted: verified under some scope is enough
		}
		fp, err := reqs.Fingerprint()
		if err != nil {
			return fmt.Errorf("trust policy %s, %s: %w", pol.Path, scope, err)
		}
		if rec.Policy != fp {
			return &Refusal{Image: label, Scope: scope, Why: "it was verified under another trust policy (" + rec.Scope + ")",
				Fix: "verify it again under this one: ward pull, or ward verify --local"}
		}
		if n != nil {
			for _, r := range reqs {
				if r.Type != policy.TypeSigstoreSigned {
					continue
				}
				if err := r.MatchIdentity(n, rec.Identity); err != nil {
					return &Refusal{Image: label, Scope: scope, Why: err.Error(),
						Fix: "sign it under this name, or set signedIdentity in the trust policy"}
				}
			}
		}
	}
	return nil
}
