package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/idrange"
	"github.com/wardproject/ward/internal/linux/idmap"
	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
)

// idRangesPath is the database of the id ranges containers hold.
func (e *Engine) idRangesPath() string { return e.Layout().IDRanges() }

func (e *Engine) subIDFiles() idrange.Files {
	if e.SubIDFiles != nil {
		return *e.SubIDFiles
	}
	return idrange.HostFiles
}

// openIDRanges opens the allocator, holding its lock until Close.
func (e *Engine) openIDRanges() (*idrange.Allocator, error) {
	return idrange.Open(e.idRangesPath(), e.subIDFiles())
}

// allocateIDs gives container c a range of host ids for --userns auto
// and sets the spec's mappings in o and the record's in c. When the pool
// is full, the ranges of containers whose records are gone are reclaimed
// first. The notice that ward added its pool to /etc/subuid and
// /etc/subgid is printed by the run that added it, once.
func (e *Engine) allocateIDs(c *record.Container, o *runspec.Options, size uint32) error {
	a, err := e.openIDRanges()
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.Allocate(c.ID, size)
	if errors.Is(err, idrange.ErrExhausted) {
		if freed, rerr := a.Reclaim(e.recordExists); rerr == nil && len(freed) > 0 {
			for _, id := range freed {
				idmap.Unbind(e.UsernsPath(id)) // a bridge container's, if it had one
			}
			r, err = a.Allocate(c.ID, size)
		}
	}
	if len(a.Added) > 0 && e.Warn != nil {
		e.Warn(fmt.Sprintf("added %s's subordinate ids to %s for --userns auto", idrange.Owner, strings.Join(a.Added, " and ")))
	}
	if err != nil {
		return err
	}
	setMappings(c, o, r)
	return e.makeReachable(c, r)
}

// previewIDs fills a dry run's mappings with the range Allocate would
// give now, allocating nothing.
func (e *Engine) previewIDs(c *record.Container, o *runspec.Options, size uint32) error {
	a, err := e.openIDRanges()
	if err != nil {
		return err
	}
	defer a.Close()
	r, err := a.Peek(size)
	if err != nil {
		return err
	}
	setMappings(c, o, r)
	return nil
}

func setMappings(c *record.Container, o *runspec.Options, r idrange.Range) {
	o.UIDMappings, o.GIDMappings = r.UIDMappings(), r.GIDMappings()
	c.HostConfig.IDMappings = &record.IDMappings{
		UidMap: []string{fmt.Sprintf("0:%d:%d", r.UID, r.Size)},
		GidMap: []string{fmt.Sprintf("0:%d:%d", r.GID, r.Size)},
	}
}

// recordExists tells whether a container's directory is there.
func (e *Engine) recordExists(id string) bool {
	_, err := os.Stat(e.Records.Dir(id))
	return err == nil
}

// UsernsPath is where the user namespace that owns a --userns auto
// container's network namespace is bound, for the spec to join.
func (e *Engine) UsernsPath(id string) string { return filepath.Join(e.Layout().Userns(), id) }

// createNetns makes a bridge container's network namespace at nsPath.
// With --userns auto it is owned by a user namespace with the
// container's mapping, bound at UsernsPath, which the container joins
// instead of making its own: only a namespace's owner may mount its
// sysfs and set its net.* sysctls (Podman makes the network namespace
// inside the user namespace for the same reason).
func (e *Engine) createNetns(id, nsPath string, o *runspec.Options) error {
	if len(o.UIDMappings) == 0 {
		return netns.Create(nsPath)
	}
	user, net, err := idmap.UsernsAndNetnsFD(o.UIDMappings, o.GIDMappings)
	if err != nil {
		return err
	}
	defer user.Close()
	defer net.Close()
	up := e.UsernsPath(id)
	if err := idmap.Bind(user, up); err != nil {
		return err
	}
	if err := netns.Bind(net, nsPath); err != nil {
		idmap.Unbind(up)
		return err
	}
	o.UsernsPath = up
	return nil
}

// recreateNetns makes a container's network namespace again when it is
// gone (after a reboot): for --userns auto, with the user namespace that
// owns it, from the mapping its record keeps, at the paths its spec
// names.
func (e *Engine) recreateNetns(c *record.Container, path string) error {
	if c.HostConfig.IDMappings == nil {
		return netns.Create(path)
	}
	uid, err := parseIDMap(c.HostConfig.IDMappings.UidMap)
	if err != nil {
		return err
	}
	gid, err := parseIDMap(c.HostConfig.IDMappings.GidMap)
	if err != nil {
		return err
	}
	if err := idmap.Unbind(e.UsernsPath(c.ID)); err != nil {
		return err
	}
	return e.createNetns(c.ID, path, &runspec.Options{UIDMappings: uid, GIDMappings: gid})
}

// parseIDMap reads IDMappings' "CONTAINER:HOST:SIZE" strings.
func parseIDMap(list []string) ([]specs.LinuxIDMapping, error) {
	var out []specs.LinuxIDMapping
	for _, m := range list {
		var e specs.LinuxIDMapping
		if n, err := fmt.Sscanf(m, "%d:%d:%d", &e.ContainerID, &e.HostID, &e.Size); err != nil || n != 3 || e.Size == 0 {
			return nil, fmt.Errorf("id mapping %q: want CONTAINER:HOST:SIZE", m)
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no id mapping recorded")
	}
	return out, nil
}

// releaseIDs frees a container's id range and the user namespace bound
// for it; a container without one is fine.
func (e *Engine) releaseIDs(c *record.Container) error {
	if !strings.HasPrefix(c.HostConfig.UsernsMode, "auto") {
		return nil
	}
	if err := e.unmountIDMappedBinds(c.ID); err != nil { // idmapvol.go
		return err
	}
	if err := idmap.Unbind(e.UsernsPath(c.ID)); err != nil {
		return err
	}
	a, err := e.openIDRanges()
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Release(c.ID)
}

// makeReachable lets the container's root walk from / to what it mounts
// by path from inside its user namespace (its rootfs, its hosts and
// resolv.conf): ward's root and the containers directory become 0711 (as
// Docker's data root), passable but not listable; the container's own
// directory and its bundle are root's with the container's group, 0710.
// A parent of ward's
// root that others cannot pass is an error naming it.
func (e *Engine) makeReachable(c *record.Container, r idrange.Range) error {
	root, err := filepath.Abs(e.Root)
	if err != nil {
		return err
	}
	for d := filepath.Dir(root); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("--userns auto: the container's root cannot reach its root filesystem: %s is mode %04o (others need x, chmod o+x), or use --userns host", d, fi.Mode().Perm())
		}
		if d == "/" {
			break
		}
	}
	for _, d := range []string{root, filepath.Dir(e.Records.Dir(c.ID))} {
		if err := os.Chmod(d, 0o711); err != nil {
			return fmt.Errorf("--userns auto: %w", err)
		}
	}
	// The bundle too: ward-runtime's init starts there, already as the
	// namespace's root. config.json inside stays root's alone.
	for _, dir := range []string{e.Records.Dir(c.ID), e.BundleDir(c.ID)} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("container %s: %w", c.ID, err)
		}
		if err := os.Chown(dir, 0, int(r.GID)); err != nil {
			return fmt.Errorf("container %s: %w", c.ID, err)
		}
		if err := os.Chmod(dir, 0o710); err != nil {
			return fmt.Errorf("container %s: %w", c.ID, err)
		}
	}
	return nil
}

// ownNetworkFiles gives the container's hosts, hostname and resolv.conf
// to its mapped root, who may write them as root may under --userns host.
func ownNetworkFiles(nf runspec.NetworkFiles, o runspec.Options) error {
	if len(o.UIDMappings) == 0 {
		return nil
	}
	uid, gid := int(o.UIDMappings[0].HostID), int(o.GIDMappings[0].HostID)
	for _, p := range []string{nf.Hosts, nf.Hostname, nf.ResolvConf} {
		if p == "" {
			continue
		}
		if err := os.Chown(p, uid, gid); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
