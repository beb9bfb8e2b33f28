// Package registry pulls images from and pushes them to OCI distribution
// registries, with credentials from the Docker config file
// ($DOCKER_CONFIG/config.json, else ~/.docker/config.json): anonymous,
// basic, or a bearer token that go-containerregistry's transport fetches
// from the realm the registry names.
package registry

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Options tune Pull and Push. The zero value uses the Docker config file
// and this machine's platform.
type Options struct {
	Keychain  authn.Keychain    // default: authn.DefaultKeychain
	Transport http.RoundTripper // default: remote's default transport
	Platform  *v1.Platform      // for indexes; default linux/GOARCH
	// Progress, when set, receives push updates (see remote.WithProgress).
	Progress chan<- v1.Update
	// Hosts are the config's registry-mirrors and insecure-registries.
	Hosts Hosts
}

func (o Options) remote(ctx context.Context, platform v1.Platform) []remote.Option {
	kc := o.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(kc), remote.WithPlatform(platform),
		remote.WithUserAgent("ward")}
	if o.Transport != nil || len(o.Hosts.Insecure) > 0 {
		opts = append(opts, remote.WithTransport(o.Hosts.Transport(o.Transport)))
	}
	if o.Progress != nil {
		opts = append(opts, remote.WithProgress(o.Progress))
	}
	return opts
}

// Pull resolves ref to the image for the platform. Layers are fetched
// lazily as the caller reads them; each blob is verified against its
// digest as it is read to its end.
func Pull(ctx context.Context, ref name.Reference, platform v1.Platform, o Options) (v1.Image, error) {
	return pullFrom(ctx, ref, platform, o)
}

// Push uploads img under ref, skipping blobs the registry already has.
func Push(ctx context.Context, ref name.Reference, img v1.Image, o Options) error {
	platform := v1.Platform{}
	ref, err := o.Hosts.Resolve(ref)
	if err != nil {
		return err
	}
	if err := remote.Write(ref, img, o.remote(ctx, platform)...); err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	return nil
}
