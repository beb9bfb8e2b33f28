package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/record"
)

// CommitOptions are docker commit's flags.
type CommitOptions struct {
	Ref     string // REPOSITORY[:TAG], or "" for an untagged image
	Author  string
	Message string
	Pause   bool // freeze a running container while its layer is read
	// Change edits the new image's config (--change), after the
	// container's own settings are copied into it.
	Change func(*v1.Config) error
}

// Commit makes an image of a container: the image it was made from,
// plus a layer of what the container changed (Diff's paths, whiteouts
// for what it deleted), with the container's command, environment, user,
// working directory and labels as the new config.
func (e *Engine) Commit(ctx context.Context, c *record.Container, o CommitOptions) (*image.Image, error) {
	var refs []name.Reference
	if o.Ref != "" {
		tag, err := image.ParseTag(o.Ref)
		if err != nil {
			return nil, err
		}
		refs = append(refs, tag)
	}
	base, _, err := e.Images.Image(c.Image)
	if err != nil {
		return nil, fmt.Errorf("commit %s: the image it was made from: %w", c.ShortName(), err)
	}
	if o.Pause && c.State.Status == record.StatusRunning && !c.State.Paused {
		if err := e.Pause(ctx, c); err == nil {
			defer func() {
				if now, err := e.Records.Load(c.ID); err == nil {
					e.Unpause(ctx, now)
				}
			}()
		}
	}
	changes, err := e.Diff(c)
	if err != nil {
		return nil, err
	}
	kept := map[string]bool{}
	for _, ch := range changes {
		kept[ch.Path] = true
	}
	layerFile, err := os.CreateTemp(e.Root, ".commit-*.tar")
	if err != nil {
		return nil, err
	}
	defer os.Remove(layerFile.Name())
	ids, err := e.FilesIDs(c)
	if err != nil {
		return nil, err
	}
	werr := e.Snapshots.WriteDiff(c.ID, layerFile, func(p string) bool { return kept[p] }, ids.ToContainer)
	if err := layerFile.Close(); werr != nil || err != nil {
		return nil, fmt.Errorf("commit %s: %w", c.ShortName(), firstErr(werr, err))
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return os.Open(layerFile.Name()) })
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: now}, Author: o.Author, Comment: o.Message,
		CreatedBy: fmt.Sprintf("%s %v", c.Path, c.Args),
	}})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Created, cfg.Author = v1.Time{Time: now}, o.Author
	cc := &cfg.Config
	cc.Cmd, cc.Entrypoint, cc.Env = c.Config.Cmd, c.Config.Entrypoint, c.Config.Env
	cc.WorkingDir, cc.User, cc.Labels = c.Config.WorkingDir, c.Config.User, c.Config.Labels
	if o.Change != nil {
		if err := o.Change(cc); err != nil {
			return nil, err
		}
	}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, err
	}
	rec, err := e.Images.Write(ctx, img, refs, nil)
	if err != nil {
		return nil, fmt.Errorf("commit %s: %w", c.ShortName(), err)
	}
	return rec, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
