// Package open wires ward's stores into an engine: the image store (which
// asks the container records before removing an image), the snapshotter,
// the volume store and the container records under a root directory, and
// the runtime a container was created with. The commands of cmd/ward open
// what they need through it.
package open

import (
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/snapshot"
	"github.com/wardproject/ward/internal/volume"
)

// Images opens the image store under l. It refuses to remove an image a
// container record uses (rmi's rule, as docker's).
func Images(l rootdir.Layout) (*store.Store, error) {
	s, err := store.Open(l.Images())
	if err != nil {
		return nil, err
	}
	s.InUse = func(id v1.Hash) ([]string, error) { return containersUsing(l, id) }
	return s, nil
}

// containersUsing lists the containers whose records use image id.
func containersUsing(l rootdir.Layout, id v1.Hash) ([]string, error) {
	if _, err := os.Stat(l.Containers()); os.IsNotExist(err) {
		return nil, nil
	}
	r, err := record.OpenRecords(l.Containers())
	if err != nil {
		return nil, err
	}
	return r.UsingImage(id.String())
}

// Snapshotter is the snapshotter over the image store: layers unpacked in
// ROOT/layers, containers' root filesystems in ROOT/snapshots.
func Snapshotter(l rootdir.Layout, s *store.Store) (*snapshot.Snapshotter, error) {
	return snapshot.New(l.Layers(), l.Snapshots(), s)
}

// VolumeUsers maps each volume to the containers under l that mount it.
func VolumeUsers(l rootdir.Layout) (map[string][]string, error) {
	if _, err := os.Stat(l.Containers()); os.IsNotExist(err) {
		return map[string][]string{}, nil
	}
	r, err := record.OpenRecords(l.Containers())
	if err != nil {
		return nil, err
	}
	return r.VolumeUsers()
}

// Volumes opens the volume store under l.
func Volumes(l rootdir.Layout) (*volume.Store, error) { return volume.Open(l.Volumes()) }

// Engine opens ward's stores under l with the given runtime binary.
func Engine(l rootdir.Layout, runtimePath string) (*engine.Engine, error) {
	images, err := Images(l)
	if err != nil {
		return nil, err
	}
	snaps, err := Snapshotter(l, images)
	if err != nil {
		return nil, err
	}
	records, err := record.OpenRecords(l.Containers())
	if err != nil {
		return nil, err
	}
	e := &engine.Engine{
		Root: l.Root(), Images: images, Snapshots: snaps, Records: records, RuntimePath: runtimePath,
		Warn: func(msg string) { fmt.Fprintln(os.Stderr, "ward: warning: "+msg) },
	}
	// The runtime's log of each container lives in the container's own
	// directory, so that removing the container removes it too.
	e.Runtime = &ociruntime.Runtime{Path: runtimePath, Root: e.RuntimeRoot(), Log: records.Dir("")}
	return e, nil
}

// Container finds a container and opens the engine with the runtime
// it was created with.
func Container(l rootdir.Layout, what string) (*engine.Engine, *record.Container, error) {
	records, err := record.OpenRecords(l.Containers())
	if err != nil {
		return nil, nil, err
	}
	c, err := records.Find(what)
	if err != nil {
		return nil, nil, err
	}
	e, err := EngineFor(l, c)
	if err != nil {
		return nil, nil, err
	}
	// What a dead supervisor left is cleaned up before anyone acts on it.
	id := c.ID
	if c, err = e.Refresh(c); err != nil {
		return nil, nil, err
	}
	if c == nil {
		return nil, nil, fmt.Errorf("%w: %s (removed: it was run with --rm and has exited)", record.ErrNotFound, id)
	}
	return e, c, nil
}

// EngineFor opens the engine with the runtime c was created with.
func EngineFor(l rootdir.Layout, c *record.Container) (*engine.Engine, error) {
	rt := c.HostConfig.Runtime
	if _, err := os.Stat(rt); rt == "" || err != nil {
		if rt, err = engineconfig.Runtime(""); err != nil {
			return nil, err
		}
	}
	return Engine(l, rt)
}

// Truthful returns c as it really is (see engine.Refresh), opening the
// engine only for a record that may be stale; nil when it was removed.
func Truthful(l rootdir.Layout, records *record.Records, c *record.Container) (*record.Container, error) {
	if light := (&engine.Engine{Root: l.Root(), Records: records}); !light.Stale(c) {
		return c, nil
	}
	e, err := EngineFor(l, c)
	if err != nil {
		return c, err
	}
	return e.Refresh(c)
}
