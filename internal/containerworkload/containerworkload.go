// Package containerworkload is the one way a ward container, created or
// about to be, becomes the workload that `ward run --policy`, `ward run
// --dry-run` and `ward check --container/--running` judge: the OCI spec
// the runtime receives (built once, by runspec.Build), read by the reader
// `ward check config.json` uses, plus the facts the spec does not hold:
// the image's reference, HEALTHCHECK and files (setuid binaries, a
// package manager...) and the engine's network plan (published ports, the
// egress policy of a bridge network). The flags are never read again.
package containerworkload

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/imageworkload"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/workload"
)

// Image says whether and how the image's layers are read: with Store set
// and Content true, its files are censused (setuid files, package
// manager, sudo, SSH server); with DB set too, its packages are matched
// against the vulnerability database.
type Image struct {
	Store   *store.Store
	Content bool
	DB      matcher.AdvisorySource
}

// FromPreview is the workload of what `ward run` would create: p's spec
// and record, as ward-audit receives them from ward (record.Preview).
func FromPreview(p *record.Preview, img Image) (workload.Workload, error) {
	spec, err := json.Marshal(p.Spec)
	if err != nil {
		return workload.Workload{}, err
	}
	return read("ward run", "container of "+p.Record.Config.Image, p.Record, spec, img)
}

// FromRecord is the workload of a container ward created: the bundle's
// config.json beside its record (recordsDir is the records' directory).
// A record without a bundle (a container removed half-way, or a record
// written by hand) is judged from the record alone, through the inspect
// reader, whose security fields ward derives from the same spec.
func FromRecord(recordsDir string, c *record.Container, img Image) (workload.Workload, error) {
	file := "container/" + c.ShortName()
	spec, err := os.ReadFile(filepath.Join(recordsDir, c.ID, "bundle", "config.json"))
	if errors.Is(err, os.ErrNotExist) {
		return fromInspect(file, c, img)
	}
	if err != nil {
		return workload.Workload{}, fmt.Errorf("container %s: %w", c.ShortName(), err)
	}
	return read(file, "container "+c.ShortName(), c, spec, img)
}

func read(file, resource string, c *record.Container, spec []byte, img Image) (workload.Workload, error) {
	ws, err := workload.ReadOCIConfig(file, spec)
	if err != nil {
		return workload.Workload{}, err
	}
	w := ws[0]
	w.File, w.Resource = file, resource
	// Findings name `ward run`'s flags as the fix, not config.json's fields.
	w.FixKind = workload.KindInspect
	forgetLines(&w)

	// What the spec does not say, from the record: the image, its
	// health check, published ports, and the egress of a network the
	// spec joins by path.
	rec, err := fromInspect(file, c, Image{})
	if err != nil {
		return workload.Workload{}, err
	}
	w.Image, w.Healthcheck, w.Ports = rec.Image, rec.Healthcheck, rec.Ports
	if w.Network.Egress == workload.EgressUnknown {
		w.Network = rec.Network
	}
	return w, addImage(&w, c, img)
}

// fromInspect reads the record with ward check's inspect reader.
func fromInspect(file string, c *record.Container, img Image) (workload.Workload, error) {
	data, err := json.Marshal([]*record.Container{c})
	if err != nil {
		return workload.Workload{}, err
	}
	ws, err := workload.ReadInspect(file, data)
	if err != nil {
		return workload.Workload{}, err
	}
	w := ws[0]
	w.File = file
	if c.ShortName() == "" {
		w.Resource = "container of " + c.Config.Image // a preview has no name yet
	}
	forgetLines(&w)
	return w, addImage(&w, c, img)
}

// addImage reads the image's files into w.Content when asked.
func addImage(w *workload.Workload, c *record.Container, img Image) error {
	if img.Store == nil || c.Image == "" || (!img.Content && img.DB == nil) {
		return nil
	}
	opened, err := imageworkload.FromStore(img.Store, c.Image)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the image is gone: nothing to read
	}
	if err != nil {
		return fmt.Errorf("image %s: %w", c.Config.Image, err)
	}
	defer opened.Close()
	if w.Content, err = imageworkload.Inspect(opened.Source, c.Config.Image, img.DB); err != nil {
		return fmt.Errorf("image %s: %w", c.Config.Image, err)
	}
	return nil
}

// forgetLines clears the line numbers of a workload read from JSON ward
// generated itself: they point into no file the user has.
func forgetLines(w *workload.Workload) {
	w.Line, w.Lines = 0, nil
	for i := range w.Mounts {
		w.Mounts[i].Line = 0
	}
	for i := range w.Env {
		w.Env[i].Line = 0
	}
	for i := range w.Ports {
		w.Ports[i].Line = 0
	}
	for i := range w.Devices {
		w.Devices[i].Line = 0
	}
	for i := range w.Sysctls {
		w.Sysctls[i].Line = 0
	}
	for i := range w.Volumes {
		w.Volumes[i].Line = 0
	}
	w.Network.Line = 0
}
