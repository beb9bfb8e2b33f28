package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/trust/enforce"
	"github.com/wardproject/ward/internal/trust/record"
)

// inspectedImage is the part of `docker image inspect` ward reproduces,
// with docker's field names.
type inspectedImage struct {
	ID           string          `json:"Id"`
	RepoTags     []string        `json:"RepoTags"`
	RepoDigests  []string        `json:"RepoDigests"`
	Parent       string          `json:"Parent"`
	Comment      string          `json:"Comment"`
	Created      string          `json:"Created"`
	Author       string          `json:"Author"`
	Architecture string          `json:"Architecture"`
	Variant      string          `json:"Variant,omitempty"`
	Os           string          `json:"Os"`
	Size         int64           `json:"Size"`
	Config       inspectedConfig `json:"Config"`
	RootFS       inspectedRootFS `json:"RootFS"`
	// Trust is ward's own: the stored signature verification of the
	// image's manifest digest, if any (ward pull under a trust policy,
	// ward verify --local).
	Trust *record.Trust `json:"Trust,omitempty"`
}

type inspectedConfig struct {
	User         string              `json:"User"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Env          []string            `json:"Env"`
	Cmd          []string            `json:"Cmd"`
	Volumes      map[string]struct{} `json:"Volumes"`
	WorkingDir   string              `json:"WorkingDir"`
	Entrypoint   []string            `json:"Entrypoint"`
	Labels       map[string]string   `json:"Labels"`
	StopSignal   string              `json:"StopSignal,omitempty"`
}

type inspectedRootFS struct {
	Type   string   `json:"Type"`
	Layers []string `json:"Layers"`
}

func newImageInspectCommand() *cobra.Command {
	var tmplText string
	cmd := &cobra.Command{
		Use:   "inspect [-f FORMAT] IMAGE...",
		Short: "Show images as docker image inspect does (a JSON array); exit 1 if one is absent",
		Args:  cobra.MinimumNArgs(1),
		RunE: imageRunE(func(cmd *cobra.Command, args []string) error {
			tmpl, err := format.TemplateOf(tmplText)
			if err != nil {
				return err
			}
			s, err := open.Images(cli.Layout())
			if err != nil {
				return err
			}
			out := []inspectedImage{}
			var errs []error
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
				ii := inspect(img, cfg)
				if ii.Trust, err = enforce.Of(cli.Layout(), img); err != nil {
					errs = append(errs, err)
					continue
				}
				out = append(out, ii)
			}
			return format.PrintInspected(cmd.OutOrStdout(), tmpl, out, errs)
		}),
	}
	cmd.Flags().StringVarP(&tmplText, "format", "f", "", "print each image through a Go template (Docker's functions), or json")
	return cmd
}

func inspect(img *image.Image, cfg *v1.ConfigFile) inspectedImage {
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
	return inspectedImage{
		ID: img.ID.String(), RepoTags: familiar(img.RepoTags), RepoDigests: familiar(img.RepoDigests),
		Comment: comment, Created: cfg.Created.Time.UTC().Format(time.RFC3339Nano), Author: cfg.Author,
		Architecture: cfg.Architecture, Variant: cfg.Variant, Os: cfg.OS, Size: img.Size,
		Config: inspectedConfig{
			User: cfg.Config.User, ExposedPorts: cfg.Config.ExposedPorts, Env: cfg.Config.Env, Cmd: cfg.Config.Cmd,
			Volumes: cfg.Config.Volumes, WorkingDir: cfg.Config.WorkingDir, Entrypoint: cfg.Config.Entrypoint,
			Labels: cfg.Config.Labels, StopSignal: cfg.Config.StopSignal,
		},
		RootFS: inspectedRootFS{Type: "layers", Layers: layers},
	}
}
