package imageview

import (
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
)

// ListOptions are `ward images`'s flags and arguments.
type ListOptions struct {
	Quiet, NoTrunc, Digests bool
	Format                  string
	Filters                 []string
	// Args are the command's arguments: none, or REPOSITORY[:TAG].
	Args []string
}

// List prints `ward images` of the images under l to out.
func List(l rootdir.Layout, out io.Writer, o ListOptions) error {
	fargs, err := filter.Parse(o.Filters, listing.ImageFilters...)
	if err != nil {
		return err
	}
	s, err := open.Images(l)
	if err != nil {
		return err
	}
	f, err := listing.NewImageFilter(fargs, s.Get)
	if err != nil {
		return err
	}
	imgs, err := s.List()
	if err != nil {
		return err
	}
	if o.Quiet {
		seen := map[v1.Hash]bool{}
		for _, img := range imgs {
			if !seen[img.ID] && named(img, o.Args) && matches(s, f, img) {
				seen[img.ID] = true
				fmt.Fprintln(out, displayID(img, o.NoTrunc))
			}
		}
		return nil
	}
	tmplText := o.Format
	if tmplText == "" {
		tmplText = listing.DefaultImageFormat(o.Digests)
	}
	w, err := format.New(out, tmplText, listing.ImageHeaders)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, img := range imgs {
		if !named(img, o.Args) || !matches(s, f, img) {
			continue
		}
		keep := func(tag string) bool {
			return f.KeepTag(tag) && named(&image.Image{RepoTags: []string{tag}}, o.Args)
		}
		for _, row := range listing.ImageRows(img, o.NoTrunc, now, keep) {
			if err := w.Write(row); err != nil {
				return err
			}
		}
	}
	return w.Flush()
}

// matches applies --filter, reading the image's labels only when a
// label filter asks.
func matches(s *store.Store, f *listing.ImageFilter, img *image.Image) bool {
	var labels map[string]string
	if f.NeedsLabels() {
		if cfg, err := s.ConfigFile(img); err == nil {
			labels = cfg.Config.Labels
		}
	}
	return f.Match(img, labels)
}

func displayID(img *image.Image, noTrunc bool) string {
	if noTrunc {
		return img.ID.String()
	}
	return img.ShortID()
}

// named applies `ward images REPOSITORY[:TAG]`: the repository matches
// with any tag, or the repository and tag together.
func named(img *image.Image, args []string) bool {
	if len(args) == 0 {
		return true
	}
	want := args[0]
	for _, t := range img.RepoTags {
		repo, tag := image.SplitFamiliar(t)
		if want == repo || want == repo+":"+tag {
			return true
		}
	}
	return false
}
