// Package engine keeps containers and runs them: it turns an image into a
// snapshot, the snapshot and `ward run`'s flags into an OCI bundle, and
// drives a runc-compatible runtime over that bundle.
//
// Vocabulary and lifecycle: a container is a record under
// ROOT/containers/<id>/ (container.json, written atomically), its bundle
// (bundle/config.json, whose root is the snapshot's rootfs), its log
// (container.log) and its snapshot. Create makes all of them; status is
// then "created". Supervise is the one place a container's process lives:
// it asks the runtime to create and start it, waits for its init (ward is
// the init's subreaper), records the exit and deletes the runtime's state;
// the record goes "running" then "exited". Supervise runs either in the
// foreground `ward run` or in a detached monitor process. Remove deletes
// the snapshot and the record. A record's monitor lock is held for as long
// as a Supervise runs, which is how other commands know a container is
// watched and wait for its exit to be recorded.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/envvar"
	"github.com/wardproject/ward/internal/idrange"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/imagefiles"
	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/runspec"
	"github.com/wardproject/ward/internal/scan/source/stored"
	"github.com/wardproject/ward/internal/snapshot"
)

// Engine ties the image store, the snapshotter, the container records and
// a runtime together.
type Engine struct {
	Root      string // ward's root; containers live in Root/containers
	Images    *store.Store
	Snapshots *snapshot.Snapshotter
	Records   *record.Records
	Runtime   *ociruntime.Runtime
	// RuntimePath is recorded in HostConfig.Runtime.
	RuntimePath string
	// Warn reports what ward does differently from what was asked (the
	// capabilities the host cannot grant); nil discards.
	Warn func(string)
	// SubIDFiles are the subordinate id files --userns auto takes its
	// pool from; nil means /etc/subuid and /etc/subgid.
	SubIDFiles *idrange.Files
}

// Layout is the layout of the engine's root directory.
func (e *Engine) Layout() rootdir.Layout { return rootdir.Layout(e.Root) }

// RuntimeRoot is the runtime's state directory (its --root).
func (e *Engine) RuntimeRoot() string { return e.Layout().Runtime() }

// BundleDir is a container's bundle directory.
func (e *Engine) BundleDir(id string) string { return filepath.Join(e.Records.Dir(id), "bundle") }

// CreateRequest is what `ward run` (or `ward create`) asks for.
type CreateRequest struct {
	Name       string
	Image      string // a reference or ID the image store resolves
	Run        runspec.Options
	AutoRemove bool
	// DryRun makes Create return the record it would write, creating
	// nothing; Preview also returns the spec.
	DryRun bool
	Net    NetworkRequest // -p, -P, --egress, --ingress: see network.go
	// Service is how the container is stopped: see service.go.
	Service ServiceRequest
}

// Preview builds what req would create without creating anything: no
// record, snapshot, mount, bundle or network.
func (e *Engine) Preview(req CreateRequest) (*record.Preview, error) {
	req.DryRun = true
	c, spec, err := e.create(req)
	if err != nil {
		return nil, err
	}
	return &record.Preview{Record: c, Spec: spec}, nil
}

// Create makes a container: its record, snapshot and bundle. Nothing is
// left behind when it fails. With req.DryRun it makes nothing and returns
// the record it would write.
func (e *Engine) Create(req CreateRequest) (*record.Container, error) {
	holdGC() // until the container has run a while (gc.go)
	c, _, err := e.create(req)
	return c, err
}

func (e *Engine) create(req CreateRequest) (_ *record.Container, _ *specs.Spec, err error) {
	img, err := e.Images.Get(req.Image)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, fmt.Errorf("unable to find image %q: %w", req.Image, err)
		}
		return nil, nil, err
	}
	cfg, err := e.Images.ConfigFile(img)
	if err != nil {
		return nil, nil, fmt.Errorf("image %s: %w", req.Image, err)
	}
	if p := req.Run.Profile; p != nil && p.Image != img.ID.String() {
		// A profile is bound to the image it was learned on, not to a name.
		return nil, nil, fmt.Errorf("--profile: learned on image %s; %s is %s", p.Image, req.Image, img.ID)
	}
	// Named volumes become binds of their mountpoints before anything
	// reads the mounts; the record keeps -v as the user gave it.
	o := req.Run
	volumes, err := e.attachVolumes(&o)
	if err != nil {
		return nil, nil, err
	}
	withBinds := req
	withBinds.Run = o
	hc, err := hostConfig(withBinds)
	if err != nil {
		return nil, nil, err
	}
	hc.Binds = req.Run.Volumes
	hc.Runtime = e.RuntimePath
	if req.Run.Profile != nil {
		req.Net.ProfileEgress = req.Run.Profile.Egress()
	}
	plan, err := planNetwork(req.Run.Network, req.Net, cfg.Config, e.Warn)
	if err != nil {
		return nil, nil, err
	}
	o.Image = cfg.Config
	if o.Host == nil {
		if o.Host, err = runspec.ProbeHostFor(o.Privileged); err != nil {
			return nil, nil, err
		}
	}
	seccompFile := ""
	if sec, err := runspec.ParseSecurityOpts(o.SecurityOpt); err == nil && sec.Seccomp != "unconfined" {
		seccompFile = sec.Seccomp
	}

	c := &record.Container{
		ID:         record.NewID(),
		Created:    time.Now().UTC(),
		State:      record.State{Status: record.StatusCreated},
		Image:      img.ID.String(),
		Driver:     "overlay2",
		Platform:   "linux",
		HostConfig: hc,
		Config: record.Config{
			User:       firstNonEmpty(o.User, cfg.Config.User),
			Tty:        o.TTY,
			OpenStdin:  o.Interactive,
			Env:        envvar.Merge(cfg.Config.Env, o.Env),
			Image:      req.Image,
			WorkingDir: firstNonEmpty(o.Workdir, cfg.Config.WorkingDir),
			Labels:     cfg.Config.Labels,
		},
	}
	c.Config.Entrypoint, c.Config.Cmd = cfg.Config.Entrypoint, cfg.Config.Cmd
	if o.Entrypoint != nil {
		c.Config.Entrypoint, c.Config.Cmd = nil, nil
		if *o.Entrypoint != "" {
			c.Config.Entrypoint = []string{*o.Entrypoint}
		}
	}
	if len(o.Cmd) > 0 {
		c.Config.Cmd = o.Cmd
	}
	if err := applyService(c, req.Service, cfg.Config); err != nil {
		return nil, nil, err
	}
	c.LogPath = filepath.Join(e.Records.Dir(c.ID), "container.log")
	c.NetworkSettings, c.HostConfig.PortBindings = e.previewNetwork(plan) // the real ones once made
	userns, _ := runspec.ParseUserns(o.Userns)                            // checked by hostConfig
	idmapped, err := e.planIDMappedBinds(c.ID, &o, userns.Auto)           // idmapvol.go
	if err != nil {
		return nil, nil, err
	}
	if req.DryRun {
		c.Name = "/" + req.Name
		if userns.Auto {
			if err := e.previewIDs(c, &o, userns.Size); err != nil {
				return nil, nil, err
			}
		}
		spec, err := e.previewSpec(c, o, img.ID.String(), plan, seccompFile)
		if err != nil {
			return nil, nil, err
		}
		spec.Annotations = annotateIDMappedBinds(spec.Annotations, idmapped)
		e.labelVolumeMounts(c, volumes)
		return c, spec, nil
	}
	if err := e.Records.Add(c, req.Name); err != nil {
		// The name may belong to a --rm container whose supervisor was
		// killed: once brought up to date it is gone, and the name free.
		if !errors.Is(err, record.ErrConflict) || !e.freedName(req.Name) {
			return nil, nil, err
		}
		if err := e.Records.Add(c, req.Name); err != nil {
			return nil, nil, err
		}
	}
	// Without a user namespace the root filesystem needs nothing but the
	// container's ID and image: it is mounted while the rest is made.
	// Their new directories and files are most of create's time on a
	// busy ext4 (each new inode scans for recently deleted ones), and
	// the kernel's share of an overlay mount makes seven.
	var snapshot func() (string, error)
	if !userns.Auto {
		snapshot = e.prepareInBackground(c.ID, img.ID.String(), req.AutoRemove)
	}
	defer func() {
		if err != nil {
			if snapshot != nil {
				snapshot() // done before it is removed
			}
			e.releaseNetwork(c.ID)
			e.Snapshots.Remove(c.ID)
			e.Records.Delete(c.ID)
			e.removeNewVolumes(volumes)
		}
	}()
	if err := e.makeVolumes(volumes); err != nil {
		return nil, nil, err
	}

	var rootfs string
	if userns.Auto {
		defer func() {
			if err != nil {
				e.releaseIDs(c)
			}
		}()
		if err := e.allocateIDs(c, &o, userns.Size); err != nil {
			return nil, nil, err
		}
		if err := e.mountIDMappedBinds(c.ID, idmapped, o); err != nil {
			return nil, nil, err
		}
		if err := e.giveVolumesToMappedRoot(volumes, o); err != nil {
			return nil, nil, err
		}
		if rootfs, err = e.Snapshots.PrepareMapped(c.ID, img.ID.String(), o.UIDMappings, o.GIDMappings); err != nil {
			return nil, nil, err
		}
	}
	if o.NetworkFiles, err = writeNetworkFiles(e.Records.Dir(c.ID), c.ID, o); err != nil {
		return nil, nil, err
	}
	if err := e.setUpNetwork(c, &o, plan); err != nil {
		return nil, nil, err
	}
	if err := ownNetworkFiles(o.NetworkFiles, o); err != nil {
		return nil, nil, fmt.Errorf("container %s: %w", c.ID, err)
	}
	if snapshot != nil {
		if rootfs, err = snapshot(); err != nil {
			return nil, nil, err
		}
	}
	if err := e.populateVolumes(rootfs, volumes); err != nil {
		return nil, nil, err
	}
	spec, err := runspec.Build(o, rootfs, c.ID)
	if err != nil {
		return nil, nil, err
	}
	if err := checkBindSources(spec); err != nil {
		return nil, nil, err
	}
	spec.Annotations = annotateIDMappedBinds(spec.Annotations, idmapped)
	if e.Warn != nil && (o.Privileged || slices.ContainsFunc(o.CapAdd, func(s string) bool { return strings.EqualFold(s, "all") })) {
		if missing := o.Host.Unavailable(); len(missing) > 0 {
			e.Warn(fmt.Sprintf("this host cannot grant %s; the container runs without them", strings.Join(missing, ", ")))
		}
	}
	if err := writeBundle(e.BundleDir(c.ID), spec); err != nil {
		return nil, nil, err
	}
	c.Path, c.Args = spec.Process.Args[0], spec.Process.Args[1:]
	c.Config.Hostname = spec.Hostname
	recordSecurity(c, spec, seccompFile, o.NetworkFiles)
	if o.Profile != nil && seccompFile == "" {
		recordProfileSeccomp(c, spec) // the learned filter, from the spec
	}
	e.labelVolumeMounts(c, volumes)
	if err := e.Records.Save(c); err != nil {
		return nil, nil, err
	}
	e.event("create", c, nil)
	return c, spec, nil
}

// prepareInBackground prepares container id's snapshot of image in a
// goroutine and returns the function that waits for its root
// filesystem: a scratch one (volatile: see PrepareScratch) for a --rm
// container, whose writes go with it.
func (e *Engine) prepareInBackground(id, image string, scratch bool) func() (string, error) {
	type result struct {
		rootfs string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		if scratch {
			r.rootfs, r.err = e.Snapshots.PrepareScratch(id, image)
		} else {
			r.rootfs, r.err = e.Snapshots.Prepare(id, image)
		}
		done <- r
	}()
	return sync.OnceValues(func() (string, error) {
		r := <-done
		return r.rootfs, r.err
	})
}

// previewSpec builds the spec a real create of c would write, making
// nothing: --user is resolved against the image's layers, and the paths
// of the rootfs, the network files and a joined network namespace are
// those the real create would use.
func (e *Engine) previewSpec(c *record.Container, o runspec.Options, imageID string, plan netPlan, seccompFile string) (*specs.Spec, error) {
	src, err := stored.Open(e.Images, imageID)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", c.Config.Image, err)
	}
	defer src.Close()
	files, err := imagefiles.Read(src, "/etc/passwd", "/etc/group")
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", c.Config.Image, err)
	}
	o.Files = files
	dir := e.Records.Dir(c.ID)
	o.NetworkFiles = runspec.NetworkFiles{
		Hostname:   filepath.Join(dir, "hostname"),
		Hosts:      filepath.Join(dir, "hosts"),
		ResolvConf: filepath.Join(dir, "resolv.conf"),
	}
	switch plan.mode {
	case "none", "host":
	case "container":
		other, err := e.Records.Find(plan.peer)
		if err != nil {
			return nil, fmt.Errorf("--network container:%s: %w", plan.peer, err)
		}
		if other.State.Status != record.StatusRunning || other.State.Pid == 0 {
			return nil, fmt.Errorf("--network container:%s: the container is not running", plan.peer)
		}
		o.NetnsPath = fmt.Sprintf("/proc/%d/ns/net", other.State.Pid)
	default:
		o.NetnsPath = e.NetnsPath(c.ID)
		if len(o.UIDMappings) > 0 {
			o.UsernsPath = e.UsernsPath(c.ID) // the user namespace that owns it (userns.go)
		}
	}
	spec, err := runspec.Build(o, filepath.Join(e.BundleDir(c.ID), "rootfs"), c.ID)
	if err != nil {
		return nil, err
	}
	c.Path, c.Args = spec.Process.Args[0], spec.Process.Args[1:]
	c.Config.Hostname = spec.Hostname
	recordSecurity(c, spec, seccompFile, o.NetworkFiles)
	if o.Profile != nil && seccompFile == "" {
		recordProfileSeccomp(c, spec) // the learned filter, from the spec
	}
	return spec, nil
}

// hostConfig records the flags in Docker's inspect spelling, parsing them
// first so that bad values fail before anything is made.
func hostConfig(req CreateRequest) (record.HostConfig, error) {
	o := req.Run
	hc := record.HostConfig{
		Binds:          o.Volumes,
		NetworkMode:    firstNonEmpty(o.Network, "none"),
		PidMode:        o.PID,
		IpcMode:        firstNonEmpty(o.IPC, "private"),
		Privileged:     o.Privileged,
		ReadonlyRootfs: o.ReadOnly,
		SecurityOpt:    o.SecurityOpt,
		PidsLimit:      o.PidsLimit,
		AutoRemove:     req.AutoRemove,
		UsernsMode:     o.Userns,
	}
	if _, err := runspec.CheckUserns(o); err != nil {
		return hc, err
	}
	var err error
	for _, list := range []struct {
		in  []string
		out *[]string
	}{{o.CapAdd, &hc.CapAdd}, {o.CapDrop, &hc.CapDrop}} {
		for _, name := range list.in {
			n, err := runspec.NormalizeCapability(name)
			if err != nil {
				return hc, err
			}
			*list.out = append(*list.out, n)
		}
	}
	if err := recordPrivileges(&hc, o); err != nil {
		return hc, err
	}
	for _, t := range o.Tmpfs {
		if _, err := runspec.ParseTmpfs(t); err != nil {
			return hc, err
		}
		if hc.Tmpfs == nil {
			hc.Tmpfs = map[string]string{}
		}
		dest, opts, _ := strings.Cut(t, ":")
		hc.Tmpfs[dest] = opts
	}
	for _, v := range o.Volumes {
		if _, err := runspec.ParseVolume(v); err != nil {
			return hc, err
		}
	}
	if o.Memory != "" {
		if hc.Memory, err = runspec.ParseMemory("--memory", o.Memory); err != nil {
			return hc, err
		}
	}
	if o.MemorySwap != "" {
		if hc.MemorySwap, err = runspec.ParseMemory("--memory-swap", o.MemorySwap); err != nil {
			return hc, err
		}
	}
	if o.CPUs != "" {
		if hc.NanoCpus, err = runspec.ParseCPUs(o.CPUs); err != nil {
			return hc, err
		}
	}
	for _, u := range o.Ulimits {
		l, err := runspec.ParseUlimit(u)
		if err != nil {
			return hc, err
		}
		name := strings.ToLower(strings.TrimPrefix(l.Type, "RLIMIT_"))
		hc.Ulimits = append(hc.Ulimits, record.Ulimit{Name: name, Hard: int64(l.Hard), Soft: int64(l.Soft)})
	}
	return hc, nil
}

// writeNetworkFiles writes the container's /etc/hostname, /etc/hosts and
// /etc/resolv.conf, which Docker bind-mounts from the container's
// directory.
func writeNetworkFiles(dir, id string, o runspec.Options) (runspec.NetworkFiles, error) {
	hostname := o.Hostname
	if hostname == "" {
		hostname = id[:12]
		if o.Network == "host" {
			hostname = o.Host.Hostname
		}
	}
	hosts := hostsHeader
	if o.Network == "host" {
		if b, err := os.ReadFile("/etc/hosts"); err == nil {
			hosts = string(b)
		}
	}
	resolv := ""
	if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		resolv = string(b)
	}
	nf := runspec.NetworkFiles{
		Hostname:   filepath.Join(dir, "hostname"),
		Hosts:      filepath.Join(dir, "hosts"),
		ResolvConf: filepath.Join(dir, "resolv.conf"),
	}
	for path, content := range map[string]string{nf.Hostname: hostname + "\n", nf.Hosts: hosts, nf.ResolvConf: resolv} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return nf, fmt.Errorf("container %s: %w", id, err)
		}
	}
	return nf, nil
}

func writeBundle(dir string, spec *specs.Spec) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	// Compact, as Docker writes it: nobody reads a bundle's spec by eye
	// on the path of every `ward run`, and `jq` indents it for whoever does.
	data, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600); err != nil {
		return fmt.Errorf("bundle %s: %w", dir, err)
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Remove deletes a stopped container: the runtime's leftover state, the
// snapshot and the record.
func (e *Engine) Remove(c *record.Container) error {
	if e.Runtime != nil {
		e.Runtime.Delete(context.Background(), c.ID, true) // nothing to delete is fine
	}
	if err := e.releaseNetwork(c.ID); err != nil {
		return err
	}
	if err := e.Snapshots.Remove(c.ID); err != nil {
		return err
	}
	if err := e.releaseIDs(c); err != nil {
		return err
	}
	if err := e.Records.Delete(c.ID); err != nil {
		return err
	}
	e.event("destroy", c, nil)
	return nil
}
