package registry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Resolve returns the digest ref names now in its registry (for a
// multi-platform image, the index's): what a signature names, and what a
// verified pull then pulls, so that a tag moved after verification cannot
// bring another image in.
func Resolve(ctx context.Context, ref name.Reference, o Options) (name.Digest, error) {
	if d, ok := ref.(name.Digest); ok {
		return d, nil
	}
	desc, err := remote.Get(ref, o.remote(ctx, v1.Platform{})...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("resolve %s: %w", ref, err)
	}
	return ref.Context().Digest(desc.Digest.String()), nil
}
