package check

import (
	"errors"

	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/trust/gate"
	"github.com/wardproject/ward/internal/trust/policy"
	"github.com/wardproject/ward/internal/trust/record"
	"github.com/wardproject/ward/internal/workload"
)

// storedImageTrust is what ward check IMAGE reports for image trust: the
// stored verification of the image's digest, judged as ward run judges
// it (package gate); nil when ward's config names no trust policy.
func storedImageTrust(root rootdir.Layout, s *store.Store, ref string) (*workload.Trust, error) {
	path, err := policy.ConfigPath()
	if err != nil || path == "" {
		return nil, err
	}
	pol, err := policy.Read(path)
	if err != nil {
		return nil, err
	}
	img, err := s.Get(ref)
	if err != nil {
		return nil, err
	}
	t := &workload.Trust{}
	rec, ok, err := record.Read(root.Root(), img.Manifest)
	if err != nil {
		return nil, err
	}
	if ok {
		t.Signer, t.Identity, t.Digest = rec.Signer, rec.Identity, rec.Digest
	}
	var refusal *gate.Refusal
	switch err := gate.Check(root.Root(), pol, ref, img, false); {
	case errors.As(err, &refusal):
		t.Refusal = refusal.Why
	case err != nil:
		return nil, err
	default:
		t.Verified = ok && rec.Signer != ""
	}
	return t, nil
}
