// Package containerview is what `ward ps` and `ward inspect` show of
// containers: their records brought up to date (a record a killed
// supervisor left "running" is refreshed, a --rm container that ended
// unwatched is gone), filtered and printed as docker's.
package containerview

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
)

// Inspect finds the named containers, as `ward inspect` shows them: out
// holds those found, errs one error for each name not found.
func Inspect(l rootdir.Layout, args []string) (out []*record.Container, errs []error, err error) {
	records, err := record.OpenRecords(l.Containers())
	if err != nil {
		return nil, nil, err
	}
	out = []*record.Container{}
	for _, what := range args {
		c, err := records.Find(what)
		if err == nil {
			c, err = open.Truthful(l, records, c) // a dead supervisor's record brought up to date
		}
		if err != nil || c == nil {
			errs = append(errs, fmt.Errorf("no such object: %s", what))
			continue
		}
		if err := engine.RefreshNetworkSettings(l.Root(), c); err != nil {
			errs = append(errs, err)
		}
		out = append(out, c)
	}
	return out, errs, nil
}

// PsOptions are `ward ps`'s flags.
type PsOptions struct {
	All, Quiet, NoTrunc, Size, Latest bool
	Last                              int // -n; -1 for all
	Format                            string
	Filters                           []string
}

// Ps prints `ward ps` of the containers under l to out.
func Ps(l rootdir.Layout, out io.Writer, o PsOptions) error {
	args, err := filter.Parse(o.Filters, listing.ContainerFilters...)
	if err != nil {
		return err
	}
	records, err := record.OpenRecords(l.Containers())
	if err != nil {
		return err
	}
	every, err := records.List()
	if err != nil {
		return err
	}
	// The status shown is the true one: a record its killed
	// supervisor left "running" is brought up to date (and a --rm
	// container that ended unwatched is gone).
	var list []*record.Container
	for _, c := range every {
		if c, err = open.Truthful(l, records, c); err != nil {
			return err
		}
		if c != nil {
			list = append(list, c)
		}
	}
	f, err := listing.NewContainerFilter(args, list, func(ref string) (string, error) { return imageIDOf(l, ref) })
	if err != nil {
		return err
	}
	if o.Latest {
		o.Last = 1
	}
	if o.Last > 0 {
		o.All = true // docker: -n and -l show stopped containers too
	}
	if o.Format == "" {
		o.Format = listing.DefaultContainerFormat
		if o.Size {
			o.Format += "\t{{.Size}}"
		}
	}
	if o.Quiet {
		o.Format = "{{.ID}}"
	}
	w, err := format.New(out, o.Format, listing.ContainerHeaders)
	if err != nil {
		return err
	}
	ro := listing.RowOptions{NoTrunc: o.NoTrunc, Size: o.Size || strings.Contains(o.Format, ".Size"), Root: l.Root(), Now: time.Now()}
	if ro.Size {
		ro.ImageSize = imageSizes(l)
	}
	for _, c := range list {
		if !o.All && !f.ImpliesAll() && c.State.Status != record.StatusRunning {
			continue
		}
		if !f.Match(c) {
			continue
		}
		if err := w.Write(listing.NewContainerRow(c, ro)); err != nil {
			return err
		}
		if o.Last > 0 {
			if o.Last--; o.Last == 0 {
				break
			}
		}
	}
	return w.Flush()
}

// imageIDOf resolves an image reference to its ID, for ps's ancestor
// filter.
func imageIDOf(l rootdir.Layout, ref string) (string, error) {
	s, err := open.Images(l)
	if err != nil {
		return "", err
	}
	img, err := s.Get(ref)
	if err != nil {
		return "", err
	}
	return img.ID.String(), nil
}

// imageSizes reports images' sizes by ID, for ps -s (0 for an image
// the store no longer has).
func imageSizes(l rootdir.Layout) func(string) int64 {
	sizes := map[string]int64{}
	if s, err := open.Images(l); err == nil {
		if imgs, err := s.List(); err == nil {
			for _, img := range imgs {
				sizes[img.ID.String()] = img.Size
			}
		}
	}
	return func(id string) int64 { return sizes[id] }
}
