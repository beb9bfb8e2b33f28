// Package listing makes the rows of `ward ps`, `ward images` and the
// other ls verbs, with the fields Docker's --format templates name, and
// applies their --filter keys as Docker does.
package listing

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/record"
)

// ContainerFilters are the keys `ward ps --filter` takes.
var ContainerFilters = []string{"id", "name", "label", "status", "exited", "ancestor", "network", "volume", "before", "since", "health"}

// ContainerRow is one container as `docker ps --format` sees it: every
// field of `docker ps --format json`, and .Label "KEY".
type ContainerRow struct {
	engine.Row
	// State is a plain string, as Docker's, so that string functions
	// (upper, truncate) take it.
	State  string
	labels map[string]string
}

// Label is one label's value (`{{.Label "com.example.tier"}}`).
func (r ContainerRow) Label(key string) string { return r.labels[key] }

// ContainerHeader titles ps's table columns, as Docker's.
type ContainerHeader map[string]string

// Label is the column title of `{{.Label "KEY"}}`.
func (ContainerHeader) Label(string) string { return "LABEL" }

// ContainerHeaders are ps's column titles.
var ContainerHeaders = ContainerHeader{
	"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
	"RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
	"Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS", "Networks": "NETWORKS", "LocalVolumes": "LOCAL VOLUMES",
}

// DefaultContainerFormat is docker ps's table.
const DefaultContainerFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

// RowOptions are ps's --no-trunc and -s.
type RowOptions struct {
	NoTrunc bool
	// Size adds the writable layer's size, read from the snapshot's upper
	// directory under root, and the image's (ImageSize).
	Size      bool
	Root      string
	ImageSize func(imageID string) int64
	Now       time.Time
}

// NewContainerRow makes a container's row.
func NewContainerRow(c *record.Container, o RowOptions) ContainerRow {
	row := engine.PsRow(c, o.Now)
	row.Command = strconv.Quote(commandOf(c, !o.NoTrunc))
	if o.NoTrunc {
		row.ID = c.ID
	}
	keys := make([]string, 0, len(c.Config.Labels))
	for k := range c.Config.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		keys[i] = k + "=" + c.Config.Labels[k]
	}
	row.Labels = strings.Join(keys, ",")
	var mounts []string
	for _, m := range mountsOf(c) {
		name := m.name
		if name == "" {
			name = m.source
		}
		if !o.NoTrunc && len(name) > 15 {
			name = name[:14] + "…" // docker's Ellipsis(name, 15)
		}
		mounts = append(mounts, name)
	}
	row.Mounts = strings.Join(mounts, ",")
	row.Networks = strings.Join(networksOf(c), ",")
	if o.Size {
		rw, ok := WritableSize(o.Root, c.ID)
		virtual := rw
		if o.ImageSize != nil {
			virtual += o.ImageSize(c.Image)
		}
		if ok {
			row.Size = fmt.Sprintf("%s (virtual %s)", units.HumanSizeWithPrecision(float64(rw), 3), units.HumanSizeWithPrecision(float64(virtual), 3))
		} else {
			row.Size = "N/A" // the snapshot could not be read: no figure rather than a wrong one
		}
	}
	if c.State.Paused && c.State.Status == record.StatusRunning {
		row.Status += " (Paused)"
	}
	return ContainerRow{Row: row, State: stateOf(c), labels: c.Config.Labels}
}

// stateOf is the container's state as docker ps names it: paused is a
// state of its own there.
func stateOf(c *record.Container) string {
	if c.State.Paused && c.State.Status == record.StatusRunning {
		return "paused"
	}
	return string(c.State.Status)
}

// commandOf is a container's command as docker ps shows it: arguments
// with spaces in single quotes, and cut to 20 characters unless
// --no-trunc.
func commandOf(c *record.Container, trunc bool) string {
	parts := []string{c.Path}
	for _, a := range c.Args {
		if strings.Contains(a, " ") {
			a = "'" + a + "'"
		}
		parts = append(parts, a)
	}
	cmd := strings.Join(parts, " ")
	if r := []rune(cmd); trunc && len(r) > 20 {
		cmd = string(r[:19]) + "…"
	}
	return cmd
}

// WritableSize adds up the regular files of a container's writable
// layer under ward's root.
func WritableSize(root, id string) (int64, bool) {
	var n int64
	err := filepath.WalkDir(filepath.Join(root, "snapshots", id, "upper"), func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n, err == nil
}

type mount struct{ name, source, destination string }

// mountsOf reads the container's -v and --mount mounts from its record
// (Mounts, else the -v flags of a record made before it had Mounts).
func mountsOf(c *record.Container) []mount {
	var out []mount
	if len(c.Mounts) > 0 {
		for _, m := range c.Mounts {
			out = append(out, mount{name: m.Name, source: m.Source, destination: m.Destination})
		}
		return out
	}
	for _, b := range c.HostConfig.Binds {
		parts := strings.Split(b, ":")
		if len(parts) < 2 {
			continue
		}
		m := mount{source: parts[0], destination: parts[1]}
		if !strings.HasPrefix(m.source, "/") {
			m.name = m.source
		}
		out = append(out, m)
	}
	return out
}

func networksOf(c *record.Container) []string {
	if c.NetworkSettings != nil && len(c.NetworkSettings.Networks) > 0 {
		var names []string
		for n := range c.NetworkSettings.Networks {
			names = append(names, n)
		}
		slices.Sort(names)
		return names
	}
	if c.HostConfig.NetworkMode == "" {
		return nil
	}
	return []string{c.HostConfig.NetworkMode}
}

// ContainerFilter applies ps's --filter.
type ContainerFilter struct {
	args          filter.Args
	names         []*regexp.Regexp
	exited        []int
	before, since *record.Container
	ancestors     []string // image IDs
}

// NewContainerFilter checks the filters' values: before and since name
// containers of list; ancestor names images, which imageID resolves to
// IDs (an image not in the store matches the reference as given).
func NewContainerFilter(args filter.Args, list []*record.Container, imageID func(string) (string, error)) (*ContainerFilter, error) {
	f := &ContainerFilter{args: args}
	for _, n := range args["name"] {
		re, err := regexp.Compile(n)
		if err != nil {
			return nil, fmt.Errorf("invalid filter 'name=%s': %w", n, err)
		}
		f.names = append(f.names, re)
	}
	for _, v := range args["exited"] {
		code, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("invalid filter 'exited=%s'", v)
		}
		f.exited = append(f.exited, code)
	}
	for _, v := range args["status"] {
		if !slices.Contains([]string{"created", "restarting", "running", "removing", "paused", "exited", "dead"}, v) {
			return nil, fmt.Errorf("invalid filter 'status=%s'", v)
		}
	}
	for _, v := range args["health"] {
		if !slices.Contains([]string{"starting", "healthy", "unhealthy", "none"}, v) {
			return nil, fmt.Errorf("invalid filter 'health=%s'", v)
		}
	}
	find := func(key string) (*record.Container, error) {
		vals := args[key]
		if len(vals) == 0 {
			return nil, nil
		}
		v := vals[len(vals)-1]
		for _, c := range list {
			if c.ID == v || c.ShortName() == strings.TrimPrefix(v, "/") || len(v) >= 1 && strings.HasPrefix(c.ID, v) {
				return c, nil
			}
		}
		return nil, fmt.Errorf("no such container: %s", v)
	}
	var err error
	if f.before, err = find("before"); err != nil {
		return nil, err
	}
	if f.since, err = find("since"); err != nil {
		return nil, err
	}
	for _, a := range args["ancestor"] {
		if id, err := imageID(a); err == nil {
			f.ancestors = append(f.ancestors, id)
		} else {
			f.ancestors = append(f.ancestors, a)
		}
	}
	return f, nil
}

// ImpliesAll tells whether the filters list stopped containers without
// -a, as Docker's status filter does (before and since do not).
func (f *ContainerFilter) ImpliesAll() bool { return f.args.Has("status") }

// Match tells whether a container passes every filter.
func (f *ContainerFilter) Match(c *record.Container) bool {
	a := f.args
	if !a.Any("id", func(v string) bool { return strings.HasPrefix(c.ID, v) }) {
		return false
	}
	if len(f.names) > 0 && !slices.ContainsFunc(f.names, func(re *regexp.Regexp) bool { return re.MatchString(c.Name) || re.MatchString(c.ShortName()) }) {
		return false
	}
	if !a.Labels("label", c.Config.Labels) || !a.Is("status", stateOf(c)) {
		return false
	}
	if len(f.exited) > 0 && (c.State.Status != record.StatusExited || !slices.Contains(f.exited, c.State.ExitCode)) {
		return false
	}
	// ward has no health checks yet: every container's health is none.
	if !a.Is("health", "none") {
		return false
	}
	if len(f.ancestors) > 0 && !slices.ContainsFunc(f.ancestors, func(v string) bool {
		return v == c.Image || v == c.Config.Image || c.Config.Image == v+":latest"
	}) {
		return false
	}
	if !a.Any("network", func(v string) bool {
		if slices.Contains(networksOf(c), v) {
			return true
		}
		if c.NetworkSettings != nil {
			for _, ep := range c.NetworkSettings.Networks {
				if ep != nil && ep.NetworkID != "" && strings.HasPrefix(ep.NetworkID, v) {
					return true
				}
			}
		}
		return false
	}) {
		return false
	}
	if !a.Any("volume", func(v string) bool {
		return slices.ContainsFunc(mountsOf(c), func(m mount) bool { return m.name == v || m.source == v || m.destination == v })
	}) {
		return false
	}
	if f.before != nil && !c.Created.Before(f.before.Created) {
		return false
	}
	if f.since != nil && !c.Created.After(f.since.Created) {
		return false
	}
	return true
}
