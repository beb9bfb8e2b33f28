// Package imageworkload reads an image (in ward's image store, or a
// docker-save / OCI archive) into the workload ward check judges: its
// config (USER, ENV, HEALTHCHECK), what its layers hold after whiteouts
// (setuid files, a package manager, sudo, the distribution) and, when a
// vulnerability database is at hand, the advisories affecting its
// packages. The layers are streamed once, shared by the package analyzers
// and the file census.
package imageworkload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/image"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/scan/analyzer"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/scan/source"
	"github.com/wardproject/ward/internal/scan/source/stored"
	"github.com/wardproject/ward/internal/workload"
)

// ErrNotImage is returned for an archive that holds a plain root
// filesystem rather than an image (no config to read).
var ErrNotImage = errors.New("not an image archive (no docker-save manifest.json or OCI index.json)")

// Image is an image opened for reading.
type Image struct {
	File   string // what the user named: a reference or an archive's path
	Ref    string // the reference naming the image, empty when none does
	Config *v1.ConfigFile
	Source source.Source
}

// Close releases the image's source.
func (img *Image) Close() error { return img.Source.Close() }

// FromStore opens the image what (reference, ID or ID prefix) names in s.
func FromStore(s *store.Store, what string) (*Image, error) {
	src, err := stored.Open(s, what)
	if err != nil {
		return nil, err
	}
	rec := src.Image()
	cfg, err := s.ConfigFile(rec)
	if err != nil {
		return nil, fmt.Errorf("image %s: config: %w", what, err)
	}
	return &Image{File: what, Ref: storeRef(what, rec), Config: cfg, Source: src}, nil
}

// storeRef is the reference to judge: what the user typed when it is one
// of the image's references, else the image's first tag (an ID names no
// tag to judge).
func storeRef(what string, rec *image.Image) string {
	if ref, err := image.ParseReference(what); err == nil {
		if slices.Contains(rec.RepoTags, ref.Name()) || slices.Contains(rec.RepoDigests, ref.Name()) {
			return what
		}
	}
	if len(rec.RepoTags) > 0 {
		return image.Familiar(rec.RepoTags[0])
	}
	return ""
}

// IsArchive reports whether the file at path is a docker-save or OCI image
// archive, by content: an uncompressed tar (the "ustar" magic) holding an
// image config. Other files are told apart by their first block alone.
func IsArchive(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	block := make([]byte, 512)
	_, err = io.ReadFull(f, block)
	f.Close()
	if err != nil || !bytes.HasPrefix(block[257:], []byte("ustar")) {
		return false
	}
	a, err := source.OpenArchive(path)
	if err != nil {
		return false
	}
	defer a.Close()
	return a.Config() != nil
}

// FromArchive opens a docker-save or OCI archive.
func FromArchive(path string) (*Image, error) {
	a, err := source.OpenArchive(path)
	if err != nil {
		return nil, err
	}
	if a.Config() == nil {
		a.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNotImage)
	}
	cfg, err := v1.ParseConfigFile(bytes.NewReader(a.Config()))
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("%s: image config: %w", path, err)
	}
	img := &Image{File: path, Config: cfg, Source: a}
	if names := a.Names(); len(names) > 0 {
		img.Ref = image.Familiar(names[0])
	}
	return img, nil
}

// Config returns the part of the image config the workload model reads.
func Config(cfg *v1.ConfigFile) workload.ImageConfig {
	c := workload.ImageConfig{User: cfg.Config.User, Env: cfg.Config.Env}
	for p := range cfg.Config.ExposedPorts {
		c.ExposedPorts = append(c.ExposedPorts, p)
	}
	slices.Sort(c.ExposedPorts)
	if cfg.Config.Healthcheck != nil {
		c.Healthcheck = cfg.Config.Healthcheck.Test
	}
	return c
}

// Read walks the image's layers once and returns its workload. db may be
// nil: then Content.Scan stays nil, meaning "not scanned".
func Read(img *Image, db matcher.AdvisorySource) (workload.Workload, error) {
	content, err := Inspect(img.Source, img.File, db)
	if err != nil {
		return workload.Workload{}, err
	}
	return workload.FromImage(img.File, img.Ref, Config(img.Config), content), nil
}

// Inspect walks src once: the package analyzers and the file census see
// every entry, then the packages are matched against db (when not nil).
func Inspect(src source.Source, name string, db matcher.AdvisorySource) (*workload.ImageContent, error) {
	var c census
	wrapped := censusSource{Source: src, c: &c}
	inv, err := analyzer.Run(wrapped, name, analyzer.All())
	if err != nil {
		return nil, err
	}
	content := c.content()
	content.Distro, content.DistroName = inv.Distro.ID, inv.Distro.PrettyName
	if db != nil {
		found, err := matcher.Match(inv, db)
		if err != nil {
			return nil, fmt.Errorf("%s: match vulnerabilities: %w", name, err)
		}
		coverage, err := matcher.Cover(inv, db)
		if err != nil {
			return nil, fmt.Errorf("%s: coverage: %w", name, err)
		}
		scan := &workload.ImageScan{Packages: len(inv.Packages), Gaps: coverage.Gaps()}
		for _, f := range found {
			scan.Vulnerabilities = append(scan.Vulnerabilities, workload.Vulnerability{
				ID: f.ID, Package: f.Package, InstalledVersion: f.InstalledVersion, FixedVersion: f.FixedVersion, Severity: f.Severity,
			})
		}
		content.Scan = scan
	}
	return content, nil
}

// censusSource hands every entry of every layer to the census on its way
// to the analyzers, so the layers are read once.
type censusSource struct {
	source.Source
	c *census
}

func (s censusSource) Layers() []source.Layer {
	ls := s.Source.Layers()
	out := make([]source.Layer, len(ls))
	for i, l := range ls {
		out[i] = censusLayer{Layer: l, c: s.c, index: i}
	}
	return out
}

type censusLayer struct {
	source.Layer
	c     *census
	index int
}

func (l censusLayer) Walk(fn func(source.Entry) error) error {
	return l.Layer.Walk(func(e source.Entry) error {
		l.c.add(l.index, e)
		return fn(e)
	})
}

// census keeps, for every path of the merged filesystem, the layer that
// last wrote it and its mode, applying whiteouts as the union mount would.
type census struct {
	files map[string]fileMark
}

type fileMark struct {
	layer int
	mode  fs.FileMode
}

func (c *census) add(layer int, e source.Entry) {
	if c.files == nil {
		c.files = map[string]fileMark{}
	}
	switch {
	case e.Whiteout:
		c.remove(e.Path, layer, true)
	case e.Opaque:
		c.remove(e.Path, layer, false)
	default:
		c.files[e.Path] = fileMark{layer: layer, mode: e.Mode}
	}
}

// remove deletes what lower layers put at p (itself when self) and below it.
func (c *census) remove(p string, layer int, self bool) {
	prefix := p + "/"
	for k, m := range c.files {
		if m.layer < layer && (self && k == p || strings.HasPrefix(k, prefix)) {
			delete(c.files, k)
		}
	}
}

// packageManagers and sudoPaths are where distributions install them
// (usr-merged systems link /bin to /usr/bin, so both spellings occur).
var (
	packageManagers = []string{
		"usr/bin/apt-get", "usr/bin/dpkg", "usr/bin/dnf", "usr/bin/microdnf", "usr/bin/yum", "usr/bin/rpm",
		"sbin/apk", "usr/bin/zypper", "usr/bin/pacman", "bin/rpm", "bin/dpkg",
	}
	sudoPaths = []string{"usr/bin/sudo", "bin/sudo", "usr/local/bin/sudo"}
	sshPaths  = []string{"usr/sbin/sshd", "sbin/sshd", "usr/sbin/dropbear", "usr/bin/dropbear"}
)

func (c *census) content() *workload.ImageContent {
	out := &workload.ImageContent{}
	for p, m := range c.files {
		if !m.mode.IsRegular() {
			continue
		}
		switch {
		case m.mode&fs.ModeSetuid != 0 && m.mode&fs.ModeSetgid != 0:
			out.Setuid = append(out.Setuid, p+" (setuid, setgid)")
		case m.mode&fs.ModeSetuid != 0:
			out.Setuid = append(out.Setuid, p+" (setuid)")
		case m.mode&fs.ModeSetgid != 0:
			out.Setuid = append(out.Setuid, p+" (setgid)")
		}
	}
	slices.Sort(out.Setuid)
	out.PackageManager = c.first(packageManagers)
	out.Sudo = c.first(sudoPaths)
	out.SSHServer = c.first(sshPaths)
	return out
}

func (c *census) first(paths []string) string {
	for _, p := range paths {
		if _, ok := c.files[p]; ok {
			return "/" + p
		}
	}
	return ""
}
