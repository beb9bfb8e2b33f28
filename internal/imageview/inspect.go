// Package imageview is what `ward images` and `ward image inspect` show
// of the stored images: docker's table and filters, and docker's inspect
// shape with ward's trust record beside it.
package imageview

import (
	"errors"
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/trust/enforce"
	"github.com/wardproject/ward/internal/trust/record"
)

// Inspected is the part of `docker image inspect` ward reproduces,
// with docker's field names.
type Inspected struct {
	ID           string `json:"Id"`
	RepoTags     []string
	RepoDigests  []string
	Parent       string
	Comment      string
	Created      string
	Author       string
	Architecture string
	Variant      string `json:"Variant,omitempty"`
	Os           string
	Size         int64
	Config       Config
	RootFS       RootFS
	// Trust is ward's own: the stored signature verification of the
	// image's manifest digest, if any (ward pull under a trust policy,
	// ward verify --local).
	Trust *record.Trust `json:"Trust,omitempty"`
}

// Config is the image config's part of Inspected.
type Config struct {
	User         string
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Env          []string
	Cmd          []string
	Volumes      map[string]struct{}
	WorkingDir   string
	Entrypoint   []string
	Labels       map[string]string
	StopSignal   string `json:"StopSignal,omitempty"`
}

// RootFS lists the image's layers by diff ID.
type RootFS struct {
	Type   string
	Layers []string
}

// Inspect finds the named images under l: out holds those found, errs
// one error for each name that could not be shown ("no such image: X"
// for a missing one).
func Inspect(l rootdir.Layout, args []string) (out []Inspected, errs []error, err error) {
	s, err := open.Images(l)
	if err != nil {
		return nil, nil, err
	}
	out = []Inspected{}
	for _, a := range args {
		img, err := s.Get(a)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				err = fmt.Errorf("no such image: %s", a)
			}
			errs = append(errs, err)
			continue
		}
		cfg, err := s.ConfigFile(img)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ii := Of(img, cfg)
		if ii.Trust, err = enforce.Of(l, img); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, ii)
	}
	return out, errs, nil
}

// Of is img as inspect shows it, from its record and config file.
func Of(img *image.Image, cfg *v1.ConfigFile) Inspected {
	familiar := func(refs []string) []string {
		out := []string{}
		for _, r := range refs {
			out = append(out, image.Familiar(r))
		}
		return out
	}
	layers := []string{}
	for _, d := range cfg.RootFS.DiffIDs {
		layers = append(layers, d.String())
	}
	comment := ""
	if n := len(cfg.History); n > 0 {
		comment = cfg.History[n-1].Comment
	}
	return Inspected{
		ID: img.ID.String(), RepoTags: familiar(img.RepoTags), RepoDigests: familiar(img.RepoDigests),
		Comment: comment, Created: cfg.Created.Time.UTC().Format(time.RFC3339Nano), Author: cfg.Author,
		Architecture: cfg.Architecture, Variant: cfg.Variant, Os: cfg.OS, Size: img.Size,
		Config: Config{
			User: cfg.Config.User, ExposedPorts: cfg.Config.ExposedPorts, Env: cfg.Config.Env, Cmd: cfg.Config.Cmd,
			Volumes: cfg.Config.Volumes, WorkingDir: cfg.Config.WorkingDir, Entrypoint: cfg.Config.Entrypoint,
			Labels: cfg.Config.Labels, StopSignal: cfg.Config.StopSignal,
		},
		RootFS: RootFS{Type: "layers", Layers: layers},
	}
}
