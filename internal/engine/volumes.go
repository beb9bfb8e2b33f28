package engine

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/wardproject/ward/internal/cp"
	"github.com/wardproject/ward/internal/linux/idmap"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/runspec"
	"github.com/wardproject/ward/internal/volume"
)

// Volumes opens the store of named volumes under ward's root.
func (e *Engine) Volumes() (*volume.Store, error) {
	return volume.Open(e.Layout().Volumes())
}

// volumeUse is a volume a container being created mounts.
type volumeUse struct {
	name, destination string
	copyUp            bool // copy the image's content in when the volume is empty
	created           bool // made by this create (removed if it fails)
	labels            map[string]string
	anonymous         bool
	mountFlag         bool // from --mount rather than -v
}

// attachVolumes rewrites o's named and anonymous volumes (-v NAME:/p,
// -v /p, --mount type=volume) as binds of their mountpoints, which is
// what the spec and everything judging it see. Volumes are made only by
// makeVolumes: a dry run creates nothing.
func (e *Engine) attachVolumes(o *runspec.Options) ([]volumeUse, error) {
	vols, err := e.Volumes()
	if err != nil {
		return nil, err
	}
	var uses []volumeUse
	var binds []string
	for _, v := range o.Volumes {
		parts := strings.Split(v, ":")
		src, anonymous := parts[0], false
		if len(parts) == 1 && path.IsAbs(v) {
			parts, anonymous = []string{volume.NewAnonymousName(), v}, true
		} else if len(parts) < 2 || src == "" || path.IsAbs(src) {
			binds = append(binds, v) // a bind, or an error runspec names
			continue
		}
		use := volumeUse{name: parts[0], destination: parts[1], copyUp: true, anonymous: anonymous}
		if err := volume.ValidName(use.name); err != nil {
			return nil, fmt.Errorf("-v %q: %w", v, err)
		}
		if len(parts) == 3 {
			var keep []string
			for _, opt := range strings.Split(parts[2], ",") {
				switch opt {
				case "nocopy":
					use.copyUp = false
					continue
				}
				keep = append(keep, opt)
			}
			parts = append(parts[:2], keep...)
			if len(keep) == 0 {
				parts = parts[:2]
			}
		}
		mp := vols.Mountpoint(use.name)
		binds = append(binds, strings.Join(append([]string{mp}, parts[1:]...), ":"))
		uses = append(uses, use)
	}
	var mounts []string
	for _, m := range o.Mounts {
		use, rw, isVolume, err := parseVolumeMount(m)
		if err != nil {
			return nil, err
		}
		if !isVolume {
			mounts = append(mounts, m)
			continue
		}
		mp := vols.Mountpoint(use.name)
		bind := mp + ":" + use.destination
		if !rw {
			bind += ":ro"
		}
		binds = append(binds, bind)
		use.mountFlag = true
		uses = append(uses, use)
	}
	o.Volumes, o.Mounts = binds, mounts
	return uses, nil
}

// labelVolumeMounts marks the record's mounts (read from the spec) that
// are volumes' mountpoints as docker inspect shows volumes: type volume,
// the volume's name, driver local.
func (e *Engine) labelVolumeMounts(c *record.Container, uses []volumeUse) {
	vols, err := e.Volumes()
	if err != nil {
		return
	}
	for i, m := range c.Mounts {
		for _, u := range uses {
			if m.Source == vols.Mountpoint(u.name) && m.Destination == path.Clean(u.destination) {
				c.Mounts[i].Type, c.Mounts[i].Name, c.Mounts[i].Driver = "volume", u.name, "local"
				if u.mountFlag {
					c.Mounts[i].Mode = "z" // Docker's for --mount type=volume
				}
			}
		}
	}
}

// parseVolumeMount reads a --mount of type volume (Docker's default
// type): source (none for an anonymous volume), target, readonly, and
// the volume options Docker's local driver takes.
func parseVolumeMount(v string) (use volumeUse, rw, isVolume bool, err error) {
	typ := "volume"
	rw, use.copyUp = true, true
	for _, field := range strings.Split(v, ",") {
		key, val, hasVal := strings.Cut(field, "=")
		switch strings.ToLower(key) {
		case "type":
			typ = strings.ToLower(val)
		case "source", "src":
			use.name = val
		case "target", "destination", "dst":
			use.destination = val
		case "readonly", "ro":
			rw = false
			if hasVal {
				b, perr := strconv.ParseBool(val)
				if perr != nil {
					return use, rw, false, fmt.Errorf("--mount %q: invalid value %q for %s", v, val, key)
				}
				rw = !b
			}
		case "volume-nocopy":
			use.copyUp = false
			if hasVal {
				b, perr := strconv.ParseBool(val)
				if perr != nil {
					return use, rw, false, fmt.Errorf("--mount %q: invalid value %q for %s", v, val, key)
				}
				use.copyUp = !b
			}
		case "volume-label":
			k, lv, _ := strings.Cut(val, "=")
			if use.labels == nil {
				use.labels = map[string]string{}
			}
			use.labels[k] = lv
		case "volume-driver":
			if val != "local" {
				return use, rw, false, fmt.Errorf("--mount %q: volume driver %q is not supported (only local)", v, val)
			}
		case "volume-opt":
			return use, rw, false, fmt.Errorf("--mount %q: volume-opt is not supported by ward's local volumes", v)
		}
	}
	if typ != "volume" {
		return use, rw, false, nil
	}
	if use.destination == "" || !path.IsAbs(use.destination) || path.Clean(use.destination) == "/" {
		return use, rw, true, fmt.Errorf("--mount %q: the target must be an absolute path other than /", v)
	}
	if use.name == "" {
		use.name, use.anonymous = volume.NewAnonymousName(), true
	}
	if err := volume.ValidName(use.name); err != nil {
		return use, rw, true, fmt.Errorf("--mount %q: %w", v, err)
	}
	return use, rw, true, nil
}

// makeVolumes creates the volumes a container mounts that do not exist
// yet; created marks them, for removal if the create fails.
func (e *Engine) makeVolumes(uses []volumeUse) error {
	vols, err := e.Volumes()
	if err != nil {
		return err
	}
	for i := range uses {
		labels := uses[i].labels
		if uses[i].anonymous {
			labels = nil
		}
		if _, uses[i].created, err = vols.Create(uses[i].name, labels, uses[i].anonymous); err != nil {
			return err
		}
		if uses[i].created {
			VolumeEvent(e.Root, "create", uses[i].name, nil)
		}
	}
	return nil
}

// removeNewVolumes removes the volumes a failed create made.
func (e *Engine) removeNewVolumes(uses []volumeUse) {
	vols, err := e.Volumes()
	if err != nil {
		return
	}
	for _, u := range uses {
		if u.created {
			vols.Remove(u.name, nil)
		}
	}
}

// populateVolumes copies the image's content at each mount point into
// an empty volume, as Docker does, owners and modes kept; the path is
// resolved inside the container's root filesystem, so an image's link
// cannot make ward copy a host directory into the volume.
func (e *Engine) populateVolumes(rootfs string, uses []volumeUse) error {
	vols, err := e.Volumes()
	if err != nil {
		return err
	}
	var from *cp.Root
	for _, u := range uses {
		if !u.copyUp || !vols.IsEmpty(u.name) {
			continue
		}
		if from == nil {
			if from, err = cp.OpenRoot(rootfs); err != nil {
				return err
			}
			defer from.Close()
		}
		if err := cp.CopyTree(from, u.destination, vols.Mountpoint(u.name)); err != nil {
			return fmt.Errorf("volume %s: copy the image's %s: %w", u.name, u.destination, err)
		}
	}
	return nil
}

// RemoveAnonymousVolumes removes the anonymous volumes of a removed
// container (`ward rm -v`, and --rm), unless another container uses one.
func (e *Engine) RemoveAnonymousVolumes(c *record.Container) error {
	vols, err := e.Volumes()
	if err != nil {
		return err
	}
	for _, m := range c.Mounts {
		if m.Type != "volume" {
			continue
		}
		v, err := vols.Get(m.Name)
		if err != nil || !v.Anonymous {
			continue
		}
		users, err := e.Records.UsingVolume(m.Name)
		if err != nil {
			return err
		}
		if err := vols.Remove(m.Name, without(users, c.ID)); err != nil {
			return err
		}
		VolumeEvent(e.Root, "destroy", m.Name, nil)
	}
	return nil
}

func without(list []string, drop string) []string {
	var out []string
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// giveVolumesToMappedRoot makes the volumes a --userns auto container
// created its mapped root's (host uid and gid of its uid 0), as its root
// owns them inside; volumes that existed before keep their owners. The
// volumes directory becomes passable (0711) so that the container's root
// can reach them.
func (e *Engine) giveVolumesToMappedRoot(uses []volumeUse, o runspec.Options) error {
	if len(uses) == 0 || len(o.UIDMappings) == 0 {
		return nil
	}
	vols, err := e.Volumes()
	if err != nil {
		return err
	}
	uid, uok := idmap.HostID(o.UIDMappings, 0)
	gid, gok := idmap.HostID(o.GIDMappings, 0)
	if !uok || !gok {
		return fmt.Errorf("--userns auto: the mapping has no root")
	}
	if err := vols.MakePassable(); err != nil {
		return err
	}
	for _, u := range uses {
		if !u.created {
			continue
		}
		if err := vols.GiveTo(u.name, int(uid), int(gid)); err != nil {
			return err
		}
	}
	return nil
}
