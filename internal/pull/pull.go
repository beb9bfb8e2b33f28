// Package pull is `ward pull`, and `ward run`'s pull of a missing
// image: the trust policy's verification first, then the registry (with
// the config file's mirrors and insecure registries), the store, the
// verification record and the event, in that order.
package pull

import (
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/events"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/registry"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/progressbar"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/trust/enforce"
)

// Image pulls what (NAME[:TAG|@DIGEST]) into the store under l, for
// platform (OS/ARCH[/VARIANT]; empty is the machine's). The progress bar
// goes to progress and the Digest and Status lines to status (neither
// when progress is nil). It returns the reference pulled, in full.
func Image(ctx context.Context, l rootdir.Layout, what, platform string, progress, status io.Writer) (string, error) {
	ref, err := image.ParseReference(what)
	if err != nil {
		return "", err
	}
	plat := store.Platform()
	if platform != "" {
		p, err := v1.ParsePlatform(platform)
		if err != nil {
			return "", fmt.Errorf("--platform: %w", err)
		}
		plat = *p
	}
	s, err := open.Images(l)
	if err != nil {
		return "", err
	}
	// A trust policy may ask for a verified signature first.
	pullRef, verified, err := enforce.VerifyForPull(ctx, ref)
	if err != nil {
		return "", err
	}
	ropts, err := engineconfig.RegistryOptions()
	if err != nil {
		return "", err
	}
	img, err := registry.Pull(ctx, pullRef, plat, ropts)
	if err != nil {
		return "", err
	}
	digest, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("pull %s: %w", ref, err)
	}
	refs := []name.Reference{ref}
	if d, err := name.NewDigest(ref.Context().Name() + "@" + digest.String()); err == nil {
		refs = append(refs, d)
	}
	var bar *progressbar.Bar
	if progress != nil {
		bar = progressbar.New(progress, "pulling "+image.Familiar(ref.Name()))
	}
	_, err = s.Write(ctx, img, refs, bar.Progress())
	bar.Finish()
	if err != nil {
		return "", fmt.Errorf("pull %s: %w", image.Familiar(ref.Name()), err)
	}
	if err := enforce.KeepVerification(l, verified, digest); err != nil {
		return "", err
	}
	if progress != nil {
		fmt.Fprintf(status, "Digest: %s\nStatus: Downloaded image for %s\n", digest, image.Familiar(ref.Name()))
	}
	events.Append(l.Root(), "image", "pull", image.Familiar(ref.Name()), map[string]string{"name": image.Familiar(ref.Name())})
	return ref.Name(), nil
}
