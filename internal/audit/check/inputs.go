package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/wardproject/ward/internal/containerworkload"
	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/registry"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/imageworkload"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/scan/target"
	"github.com/wardproject/ward/internal/scan/verbs"
	"github.com/wardproject/ward/internal/scan/vulndb"
	"github.com/wardproject/ward/internal/workload"
)

// Inputs reads what ward check judges beyond files: images (in ward's
// store, or docker-save / OCI archives) and containers (from their
// records, through the same JSON `ward inspect` prints). It opens the
// image store and the vulnerability database once, on first need.
type Inputs struct {
	Root   rootdir.Layout // ward's root: its image store, records, database
	Stderr io.Writer
	// From is --image-src: where image names are read from.
	From string

	images   *store.Store
	db       *vulndb.DB
	dbOpened bool
}

// Close releases the vulnerability database.
func (c *Inputs) Close() {
	if c.db != nil {
		c.db.Close()
	}
}

// Split sorts ward check's arguments: files, directories and "-" are left
// to audit.Check; an image archive (told by content) or a name that is no
// path (an image reference or ID in ward's store) is read here.
func (c *Inputs) Split(args []string) (paths []string, extra []workload.Input) {
	for _, a := range args {
		fi, err := os.Stat(a)
		switch {
		case a == "-":
			paths = append(paths, a)
		case err == nil && fi.Mode().IsRegular() && imageworkload.IsArchive(a):
			extra = append(extra, c.archive(a))
		case err != nil && errors.Is(err, fs.ErrNotExist):
			extra = append(extra, c.storedImage(a))
		default:
			paths = append(paths, a)
		}
	}
	return paths, extra
}

// advisories returns the vulnerability database, or nil when none is
// loaded; it says so once, as an info note, and the check goes on.
func (c *Inputs) advisories() matcher.AdvisorySource {
	if !c.dbOpened {
		c.dbOpened = true
		db, err := vulndb.OpenReadOnly(c.Root.VulnDB())
		if err != nil {
			fmt.Fprintf(c.Stderr, "ward check: info: image-scan not checked: %v\n", err)
		} else {
			c.db = db
			if updated, err := db.Updated(); err == nil {
				verbs.WarnIfOld(c.Stderr, vulndb.Status{Updated: updated}, time.Now())
			}
		}
	}
	if c.db == nil {
		return nil // a nil *DB in the interface would not compare equal to nil
	}
	return c.db
}

// store opens ward's image store once, without creating one where there
// is none.
func (c *Inputs) store() (*store.Store, error) {
	if c.images != nil {
		return c.images, nil
	}
	if _, err := os.Stat(c.Root.ImageDB()); err != nil {
		return nil, fmt.Errorf("no image store in %s", c.Root.Root())
	}
	s, err := store.Open(c.Root.Images())
	if err != nil {
		return nil, err
	}
	c.images = s
	return s, nil
}

// storedImage reads an image of ward's store, or of its registry when
// --image-src allows it and the store has none by that name.
func (c *Inputs) storedImage(ref string) workload.Input {
	if c.From == target.FromRegistry {
		return c.registryImage(ref)
	}
	s, err := c.store()
	if err != nil {
		if c.From == target.FromAuto && target.HasRegistryHost(ref) {
			return c.registryImage(ref)
		}
		return workload.Input{File: ref, Err: fmt.Errorf("read %s: no such file, directory or image (%v)", ref, err)}
	}
	img, err := imageworkload.FromStore(s, ref)
	if errors.Is(err, store.ErrNotFound) {
		if c.From == target.FromAuto && target.HasRegistryHost(ref) {
			return c.registryImage(ref)
		}
		return workload.Input{File: ref, Err: fmt.Errorf("read %s: no such file, directory or image in %s", ref, s.Dir())}
	}
	in := c.image(ref, img, err)
	if in.Err == nil {
		// The image-trust item from the signature verification, under
		// the trust policy in force (trust.go).
		trust, err := storedImageTrust(c.Root, s, ref)
		if err != nil {
			return workload.Input{File: ref, Err: fmt.Errorf("image %s: %w", ref, err)}
		}
		for i := range in.Workloads {
			in.Workloads[i].Trust = trust
		}
	}
	return in
}

// registryImage reads an image from its registry, without storing it.
func (c *Inputs) registryImage(ref string) workload.Input {
	r, err := image.ParseReference(ref)
	if err != nil {
		return workload.Input{File: ref, Err: fmt.Errorf("read %s: no such file, directory or image reference: %w", ref, err)}
	}
	remoteImg, err := registry.Pull(context.Background(), r, store.Platform(), registry.Options{})
	if err != nil {
		return workload.Input{File: ref, Err: fmt.Errorf("read %s: %w", ref, err)}
	}
	cfg, err := remoteImg.ConfigFile()
	if err != nil {
		return workload.Input{File: ref, Err: fmt.Errorf("image %s: config: %w", ref, err)}
	}
	src, err := source.FromImage(remoteImg)
	img := &imageworkload.Image{File: ref, Ref: image.Familiar(r.String()), Config: cfg, Source: src}
	return c.image(ref, img, err)
}

// archive reads a docker-save or OCI archive.
func (c *Inputs) archive(path string) workload.Input {
	img, err := imageworkload.FromArchive(path)
	return c.image(path, img, err)
}

// image judges an image read: its config, files and known
// vulnerabilities.
func (c *Inputs) image(name string, img *imageworkload.Image, err error) workload.Input {
	if err != nil {
		return workload.Input{File: name, Err: fmt.Errorf("image %s: %w", name, err)}
	}
	defer img.Close()
	w, err := imageworkload.Read(img, c.advisories())
	if err != nil {
		return workload.Input{File: name, Err: fmt.Errorf("image %s: %w", name, err)}
	}
	return workload.Input{File: name, Kind: workload.KindImage, Workloads: []workload.Workload{w}}
}

// Containers reads the named containers, and every running one when
// running is set, each from the JSON `ward inspect` prints for it.
func (c *Inputs) Containers(names []string, running bool) ([]workload.Input, error) {
	records, err := record.OpenRecords(c.Root.Containers())
	if err != nil {
		return nil, err
	}
	var list []*record.Container
	for _, n := range names {
		ct, err := records.Find(n)
		if err != nil {
			return nil, fmt.Errorf("no such container: %s", n)
		}
		list = append(list, ct)
	}
	if running {
		all, err := records.List()
		if err != nil {
			return nil, err
		}
		for _, ct := range all {
			if ct.State.Status == record.StatusRunning {
				list = append(list, ct)
			}
		}
	}
	var out []workload.Input
	seen := map[string]bool{}
	for _, ct := range list {
		if seen[ct.ID] {
			continue
		}
		seen[ct.ID] = true
		out = append(out, c.container(ct))
	}
	return out, nil
}

// container reads a container from the JSON `ward inspect` prints for it.
func (c *Inputs) container(ct *record.Container) workload.Input {
	file := "container/" + ct.ShortName()
	// The container runs its image's packages: scan them through the
	// image it was created from, when the database and the store are
	// both at hand.
	img := containerworkload.Image{DB: c.advisories(), Content: true}
	if s, err := c.store(); err == nil {
		img.Store = s
	}
	w, err := containerworkload.FromRecord(c.Root.Containers(), ct, img)
	if err != nil {
		return workload.Input{File: file, Err: fmt.Errorf("container %s: %w", ct.ShortName(), err)}
	}
	return workload.Input{File: file, Kind: w.Kind, Workloads: []workload.Workload{w}}
}
