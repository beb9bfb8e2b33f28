package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/bundle"
	"github.com/wardproject/ward/internal/linux/idmap"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
)

// The spec of a -v SRC:DST:idmap binds the engine's idmapped clone of
// SRC under ward's root, which is what the runtime mounts; the
// annotation bundle.IDMapSourceAnnotation names SRC, which is what the
// judge (the OCI reader of internal/workload) sees as the mount's source.

// systemPaths are the host paths -v :idmap refuses, with everything
// under them and every directory above them: seen through the
// container's mapping their root-owned files would be the container
// root's to write.
var systemPaths = []string{
	"/etc", "/proc", "/sys", "/dev", "/usr", "/boot", "/bin", "/sbin",
	"/lib", "/lib32", "/lib64", "/libx32", "/run", "/var/run", "/var/lib/docker",
	"/var/lib/containerd", "/var/lib/ward", "/root",
}

// idmappedBind is one -v SRC:DST:idmap: the user's host path and the
// engine's idmapped clone of it, which the spec binds.
type idmappedBind struct {
	source, staged, destination string
}

// idmappedDir is where the engine mounts a container's idmapped binds.
// It is outside the container's record directory, so no recursive
// removal of the record can ever walk into a host directory.
func (e *Engine) idmappedDir(id string) string { return filepath.Join(e.Root, "idmapped", id) }

// planIDMappedBinds finds the -v values of o with the idmap mode, checks
// them and rewrites each as a bind of the path its idmapped clone will
// have (idmap dropped), so that the spec the runtime and the judge get
// is the same in a dry run and a real one. auto says whether the
// container has a user namespace of its own (--userns auto).
func (e *Engine) planIDMappedBinds(id string, o *runspec.Options, auto bool) ([]idmappedBind, error) {
	var plan []idmappedBind
	for i, v := range o.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) != 3 {
			continue
		}
		var keep []string
		mapped := false
		for _, opt := range strings.Split(parts[2], ",") {
			if opt == "idmap" {
				mapped = true
				continue
			}
			keep = append(keep, opt)
		}
		if !mapped {
			continue
		}
		if !auto {
			return nil, fmt.Errorf("-v %q: idmap needs a user namespace of the container's own (--userns auto)", v)
		}
		src, err := e.checkIDMapSource(parts[0])
		if err != nil {
			return nil, fmt.Errorf("-v %q: %w", v, err)
		}
		b := idmappedBind{source: src, staged: filepath.Join(e.idmappedDir(id), strconv.Itoa(len(plan))), destination: filepath.Clean(parts[1])}
		bind := b.staged + ":" + parts[1]
		if len(keep) > 0 {
			bind += ":" + strings.Join(keep, ",")
		}
		o.Volumes[i] = bind
		plan = append(plan, b)
	}
	return plan, nil
}

// checkIDMapSource resolves a -v :idmap source and refuses /, system
// paths (and their parents), ward's own root, and anything not a
// directory (a socket such as docker.sock, a device).
func (e *Engine) checkIDMapSource(src string) (string, error) {
	if !filepath.IsAbs(src) {
		return "", errors.New("idmap applies to host paths only (named volumes are already the container root's)")
	}
	real, err := filepath.EvalSymlinks(src)
	if err != nil {
		return "", fmt.Errorf("idmap source %s: %w", src, err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("idmap source %s: %w", src, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("idmap source %s: only a directory can be idmapped (sockets, devices and files cannot)", src)
	}
	refused := append([]string{}, systemPaths...)
	if root, err := filepath.Abs(e.Root); err == nil {
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r
		}
		refused = append(refused, root)
	}
	for _, p := range refused {
		if real == "/" || within(real, p) || within(p, real) {
			return "", fmt.Errorf("idmap refused for %s: it is or holds a system path (%s); its root-owned files would become the container's", src, p)
		}
	}
	return real, nil
}

// within tells whether p is dir or under it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// mountIDMappedBinds makes the idmapped clones the spec binds, seen
// through the container's mapping, passable by its root. On failure
// what was made is undone.
func (e *Engine) mountIDMappedBinds(id string, plan []idmappedBind, o runspec.Options) (err error) {
	if len(plan) == 0 {
		return nil
	}
	ns, err := idmap.UsernsFD(o.UIDMappings, o.GIDMappings)
	if err != nil {
		return err
	}
	defer ns.Close()
	defer func() {
		if err != nil {
			e.unmountIDMappedBinds(id)
		}
	}()
	for _, d := range []string{filepath.Dir(e.idmappedDir(id)), e.idmappedDir(id)} {
		if err := os.Mkdir(d, 0o711); err != nil && !os.IsExist(err) {
			return fmt.Errorf("container %s: %w", id, err)
		}
		if err := os.Chmod(d, 0o711); err != nil {
			return fmt.Errorf("container %s: %w", id, err)
		}
	}
	for _, b := range plan {
		if err := os.Mkdir(b.staged, 0o700); err != nil && !os.IsExist(err) {
			return fmt.Errorf("container %s: %w", id, err)
		}
		if err := idmap.Mount(b.source, b.staged, ns); err != nil {
			return err
		}
	}
	return nil
}

// unmountIDMappedBinds detaches a container's idmapped clones and removes
// their directories, with rmdir only: a directory still mounted is a
// host directory, never to be emptied. None is fine.
func (e *Engine) unmountIDMappedBinds(id string) error {
	dir := e.idmappedDir(id)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, ent := range entries {
		p := filepath.Join(dir, ent.Name())
		for {
			if err := unix.Unmount(p, unix.MNT_DETACH); err != nil {
				if !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
					errs = append(errs, fmt.Errorf("unmount %s: %w", p, err))
				}
				break
			}
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// annotateIDMappedBinds names each idmapped bind's host path in the spec.
func annotateIDMappedBinds(annotations map[string]string, plan []idmappedBind) map[string]string {
	if len(plan) == 0 {
		return annotations
	}
	if annotations == nil {
		annotations = map[string]string{}
	}
	for _, b := range plan {
		annotations[bundle.IDMapSourceAnnotation+b.destination] = b.source
	}
	return annotations
}

// ensureIDMappedBinds mounts a stopped container's idmapped clones again
// when they are gone (after a reboot), from the host paths its spec's
// annotations name and the mapping its record keeps: else the runtime
// would bind their empty directories.
func (e *Engine) ensureIDMappedBinds(c *record.Container) error {
	if c.HostConfig.IDMappings == nil {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(e.BundleDir(c.ID), "config.json"))
	if err != nil {
		return err
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("container %s: config.json: %w", c.ID, err)
	}
	var plan []idmappedBind
	for _, m := range spec.Mounts {
		src, ok := spec.Annotations[bundle.IDMapSourceAnnotation+filepath.Clean(m.Destination)]
		if !ok || !within(m.Source, e.idmappedDir(c.ID)) {
			continue
		}
		if mounted, err := mountinfo.Mounted(m.Source); err == nil && mounted {
			continue
		}
		plan = append(plan, idmappedBind{source: src, staged: m.Source, destination: m.Destination})
	}
	if len(plan) == 0 {
		return nil
	}
	uid, err := parseIDMap(c.HostConfig.IDMappings.UidMap)
	if err != nil {
		return err
	}
	gid, err := parseIDMap(c.HostConfig.IDMappings.GidMap)
	if err != nil {
		return err
	}
	ns, err := idmap.UsernsFD(uid, gid)
	if err != nil {
		return err
	}
	defer ns.Close()
	for _, b := range plan {
		if err := os.MkdirAll(b.staged, 0o700); err != nil {
			return fmt.Errorf("container %s: %w", c.ID, err)
		}
		if err := idmap.Mount(b.source, b.staged, ns); err != nil {
			return err
		}
	}
	return nil
}
