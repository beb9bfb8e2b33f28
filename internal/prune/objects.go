package prune

// The prunes of one kind of object (image, container, volume, network
// prune) and rm's removal of a container's leftovers, each as Docker's
// verb: filters first, then what no container uses is removed, and
// Removed prints Docker's report of it.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/docker/go-units"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/networkview"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
)

// Removed is what a prune of one kind of object removed, as Docker
// reports it.
type Removed struct {
	Lines     []string // one per object: an ID or name ("untagged: ..." and "deleted: ..." for images)
	Reclaimed int64    // bytes freed
	Errors    []error  // objects that could not be removed (the prune goes on)
}

// Print writes Docker's report: the title and the lines when something
// was removed, then with reclaimed the space freed.
func (r Removed) Print(out io.Writer, title string, reclaimed bool) {
	if len(r.Lines) > 0 {
		fmt.Fprintln(out, title)
		for _, l := range r.Lines {
			fmt.Fprintln(out, l)
		}
		fmt.Fprintln(out)
	}
	if reclaimed {
		fmt.Fprintf(out, "Total reclaimed space: %s\n", units.HumanSize(float64(r.Reclaimed)))
	}
}

// Filters are a prune's --filter: label=KEY[=VALUE] (every one must
// match), label!=KEY[=VALUE] (none may), and until=TIME where the kind
// has it.
type Filters struct {
	Args  filter.Args
	Until time.Time // zero: no until filter
}

// ParseFilters reads --filter values, accepting only keys (of label,
// label! and until).
func ParseFilters(values []string, keys ...string) (Filters, error) {
	args, err := filter.Parse(values, keys...)
	if err != nil {
		return Filters{}, err
	}
	f := Filters{Args: args}
	for _, u := range args["until"] {
		if f.Until, err = filter.ParseUntil(u); err != nil {
			return Filters{}, err
		}
	}
	return f, nil
}

// labels tells whether an object carrying labels passes the label and
// label! filters.
func (f Filters) labels(labels map[string]string) bool {
	return f.Args.Labels("label", labels) && f.Args.NotLabels("label!", labels)
}

// before tells whether an object created at t passes the until filter.
func (f Filters) before(t time.Time) bool {
	return f.Until.IsZero() || t.Before(f.Until)
}

// Images removes the dangling images under l (untagged), or with all
// every image no container uses, then the unpacked layers no image
// needs any more.
func Images(l rootdir.Layout, all bool, f Filters) (Removed, error) {
	var rep Removed
	s, err := open.Images(l)
	if err != nil {
		return rep, err
	}
	imgs, err := s.List()
	if err != nil {
		return rep, err
	}
	seen := map[string]bool{}
	for _, img := range imgs {
		if seen[img.ID.String()] || (!all && len(img.RepoTags) > 0) || !f.before(img.Created) {
			continue
		}
		seen[img.ID.String()] = true
		if f.Args.Has("label") || f.Args.Has("label!") {
			cfg, err := s.ConfigFile(img)
			if err != nil || !f.labels(cfg.Config.Labels) {
				continue
			}
		}
		if err := s.Delete(img.ID); err != nil {
			if !errors.Is(err, store.ErrInUse) && !errors.Is(err, store.ErrConflict) { // in use: kept
				rep.Errors = append(rep.Errors, err)
			}
			continue
		}
		for _, t := range append(img.RepoTags, img.RepoDigests...) {
			rep.Lines = append(rep.Lines, "untagged: "+image.Familiar(t))
		}
		rep.Lines = append(rep.Lines, "deleted: "+img.ID.String())
		rep.Reclaimed += img.Size
	}
	if len(rep.Lines) > 0 {
		if err := Layers(l, s); err != nil {
			rep.Errors = append(rep.Errors, err)
		}
	}
	return rep, nil
}

// Layers removes the unpacked layers under l that no image of s needs
// any more and no container uses.
func Layers(l rootdir.Layout, s *store.Store) error {
	imgs, err := s.List()
	if err != nil {
		return err
	}
	var keep []v1.Hash
	for _, img := range imgs {
		for _, layer := range img.Layers {
			keep = append(keep, layer.ChainID)
		}
	}
	if _, err := os.Stat(l.Layers()); os.IsNotExist(err) {
		return nil // nothing was ever unpacked
	}
	sn, err := open.Snapshotter(l, s)
	if err != nil {
		return err
	}
	return sn.Prune(keep)
}

// Containers removes every container under l that is not running (nor
// watched by a monitor still recording its end) and passes f.
func Containers(l rootdir.Layout, f Filters) (Removed, error) {
	var rep Removed
	records, err := record.OpenRecords(l.Containers())
	if err != nil {
		return rep, err
	}
	list, err := records.List()
	if err != nil {
		return rep, err
	}
	for _, c := range list {
		if c.State.Status == record.StatusRunning || records.Monitored(c.ID) {
			continue
		}
		if !f.labels(c.Config.Labels) || !f.before(c.Created) {
			continue
		}
		e, c2, err := open.Container(l, c.ID)
		if err == nil {
			size, _ := listing.WritableSize(l.Root(), c.ID)
			if err = e.Remove(c2); err == nil {
				rep.Lines = append(rep.Lines, c.ID)
				rep.Reclaimed += size
			}
		}
		if err != nil {
			rep.Errors = append(rep.Errors, err)
		}
	}
	return rep, nil
}

// Volumes removes every volume under l that no container uses and
// passes f's label filters. It stops at the first volume it cannot
// remove.
func Volumes(l rootdir.Layout, f Filters) (Removed, error) {
	var rep Removed
	vols, err := open.Volumes(l)
	if err != nil {
		return rep, err
	}
	list, err := vols.List()
	if err != nil {
		return rep, err
	}
	users, err := open.VolumeUsers(l)
	if err != nil {
		return rep, err
	}
	for _, v := range list {
		if len(users[v.Name]) > 0 || !f.labels(v.Labels) {
			continue
		}
		size := vols.Size(v.Name)
		if err := vols.Remove(v.Name, nil); err != nil {
			return Removed{}, err
		}
		engine.VolumeEvent(l.Root(), "destroy", v.Name, nil)
		rep.Lines = append(rep.Lines, v.Name)
		rep.Reclaimed += size
	}
	return rep, nil
}

// Networks removes every network under l that is not built in and that
// no container record names or is connected to.
func Networks(l rootdir.Layout) (Removed, error) {
	var rep Removed
	views, err := networkview.Views(l, nil)
	if err != nil {
		return rep, err
	}
	used := map[string]bool{}
	if _, err := os.Stat(l.Containers()); err == nil {
		records, err := record.OpenRecords(l.Containers())
		if err != nil {
			return rep, err
		}
		list, err := records.List()
		if err != nil {
			return rep, err
		}
		for _, c := range list {
			used[c.HostConfig.NetworkMode] = true
			if c.NetworkSettings != nil {
				for n := range c.NetworkSettings.Networks {
					used[n] = true
				}
			}
		}
	}
	for _, v := range views {
		if v.Builtin() || used[v.Name] || len(v.Containers) > 0 {
			continue
		}
		if err := engine.RemoveNetwork(l.Root(), v.Name); err != nil {
			if !errors.Is(err, record.ErrConflict) {
				rep.Errors = append(rep.Errors, err)
			}
			continue
		}
		rep.Lines = append(rep.Lines, v.Name)
	}
	return rep, nil
}

// Orphan removes the traces under l of a container ID that has no
// record (what system prune would remove for it), reporting whether
// what named such an ID: `ward rm` of an ID a killed ward left behind.
func Orphan(l rootdir.Layout, what string) (bool, error) {
	if len(what) != 64 || strings.Trim(what, "0123456789abcdef") != "" {
		return false, nil
	}
	rt, err := engineconfig.Runtime("")
	if err != nil {
		return false, nil
	}
	e, err := open.Engine(l, rt)
	if err != nil {
		return false, nil
	}
	if _, err := e.Records.Load(what); err == nil {
		return false, nil // a container: rm proper
	}
	ids, err := e.TraceIDs()
	if err != nil {
		return false, nil
	}
	for _, id := range ids {
		if id == what {
			return true, e.RemoveTraces(id)
		}
	}
	return false, nil
}

// Orphans removes the traces of each of names that is the ID of an
// orphan (see Orphan), printing it to out as rm prints what it removed,
// and returns the other names, for rm proper.
func Orphans(l rootdir.Layout, names []string, out io.Writer) (rest []string, err error) {
	var errs []error
	for _, what := range names {
		switch found, err := Orphan(l, what); {
		case err != nil:
			errs = append(errs, err)
		case found:
			fmt.Fprintln(out, what)
		default:
			rest = append(rest, what)
		}
	}
	return rest, errors.Join(errs...)
}
