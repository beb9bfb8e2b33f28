// Package volume keeps named volumes as Docker's local driver does: a
// directory per volume under ward's root, ROOT/volumes/NAME/_data (the
// Mountpoint containers bind), beside a small JSON record of its
// creation, labels and whether it is anonymous.
//
// A volume is created by `ward volume create` or by the first container
// that names it; it lives until `ward volume rm` or `prune` removes it,
// which they refuse while a container record uses it (the caller says
// which are used: containers are not this package's business).
package volume

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"
)

// ErrNotFound is returned for a volume that does not exist.
var ErrNotFound = errors.New("no such volume")

// ErrInUse is returned when removing a volume a container uses.
var ErrInUse = errors.New("volume is in use")

// Volume is a volume as `docker volume inspect` prints it.
type Volume struct {
	CreatedAt  string
	Driver     string
	Labels     map[string]string
	Mountpoint string
	Name       string
	Options    map[string]string
	Scope      string
	// Anonymous marks a volume made for one container (-v /path), which
	// `ward rm -v` removes with it. Docker records this as a label.
	Anonymous bool `json:"-"`
}

// record is what is stored of a volume in NAME/volume.json.
type record struct {
	Created   time.Time         `json:"created"`
	Labels    map[string]string `json:"labels,omitempty"`
	Anonymous bool              `json:"anonymous,omitempty"`
	// Explicit marks a volume `ward volume create` made: Docker shows its
	// Labels and Options as {}, a container's implicit volume's as null.
	Explicit bool `json:"explicit,omitempty"`
}

// Store is the volumes under one directory (ROOT/volumes).
type Store struct{ dir string }

// Open returns the volume store at dir.
func Open(dir string) (*Store, error) {
	// The directory is made by the first create, so that opening the
	// store (as a dry run does) leaves nothing behind.
	return &Store{dir: dir}, nil
}

// Mountpoint is where a volume's data is, whether or not it exists yet.
func (s *Store) Mountpoint(name string) string { return filepath.Join(s.dir, name, "_data") }

var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// ValidName checks a volume name as Docker does.
func ValidName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("volume name %q includes invalid characters for a local volume name, only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name)
	}
	return nil
}

// NewAnonymousName is a name for an anonymous volume: 64 hex digits, as
// Docker's.
func NewAnonymousName() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Create makes a volume, or returns the existing one of that name (as
// docker volume create does); created tells which.
func (s *Store) Create(name string, labels map[string]string, anonymous bool) (v *Volume, created bool, err error) {
	return s.create(name, labels, anonymous, false)
}

// CreateExplicit is Create for `ward volume create`.
func (s *Store) CreateExplicit(name string, labels map[string]string, anonymous bool) (*Volume, bool, error) {
	return s.create(name, labels, anonymous, true)
}

func (s *Store) create(name string, labels map[string]string, anonymous, explicit bool) (v *Volume, created bool, err error) {
	if err := ValidName(name); err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("volumes %s: %w", s.dir, err)
	}
	dir := filepath.Join(s.dir, name)
	if err := os.Mkdir(dir, 0o701); err != nil {
		if os.IsExist(err) {
			v, err := s.Get(name)
			return v, false, err
		}
		return nil, false, fmt.Errorf("create volume %s: %w", name, err)
	}
	rec := record{Created: time.Now().UTC(), Labels: labels, Anonymous: anonymous, Explicit: explicit}
	data, err := json.Marshal(rec)
	if err == nil {
		err = os.Mkdir(filepath.Join(dir, "_data"), 0o755)
	}
	if err == nil {
		// Written last, through a rename: a volume without its record is
		// one still being made.
		tmp := filepath.Join(dir, ".volume.json")
		if err = os.WriteFile(tmp, data, 0o600); err == nil {
			err = os.Rename(tmp, filepath.Join(dir, "volume.json"))
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, false, fmt.Errorf("create volume %s: %w", name, err)
	}
	return s.view(name, rec), true, nil
}

func (s *Store) view(name string, rec record) *Volume {
	labels, options := rec.Labels, map[string]string(nil)
	if rec.Explicit {
		options = map[string]string{}
		if labels == nil {
			labels = map[string]string{}
		}
	}
	return &Volume{
		CreatedAt: rec.Created.Local().Format(time.RFC3339), Driver: "local", Labels: labels,
		Mountpoint: s.Mountpoint(name), Name: name, Options: options, Scope: "local", Anonymous: rec.Anonymous,
	}
}

// Get reads a volume.
func (s *Store) Get(name string) (*Volume, error) {
	if ValidName(name) != nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	data, err := os.ReadFile(filepath.Join(s.dir, name, "volume.json"))
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("volume %s: %w", name, err)
	}
	var rec record
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("volume %s: %w", name, err)
	}
	return s.view(name, rec), nil
}

// List returns every volume, by name.
func (s *Store) List() ([]*Volume, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // no volume was ever made
	}
	if err != nil {
		return nil, fmt.Errorf("volumes %s: %w", s.dir, err)
	}
	var out []*Volume
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		v, err := s.Get(e.Name())
		if errors.Is(err, ErrNotFound) {
			continue // being made or removed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove deletes a volume and its data, unless inUse (the containers
// using it, from the caller) is not empty.
func (s *Store) Remove(name string, inUse []string) error {
	if _, err := s.Get(name); err != nil {
		return err
	}
	if len(inUse) > 0 {
		return fmt.Errorf("remove %s: %w - [%s]", name, ErrInUse, inUse[0])
	}
	dir := filepath.Join(s.dir, name)
	// The record goes first, so a volume half removed is not listed.
	if err := os.Remove(filepath.Join(dir, "volume.json")); err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	return nil
}

// IsEmpty tells whether a volume's data directory has nothing in it,
// which is when a container's first mount copies the image's content in.
func (s *Store) IsEmpty(name string) bool {
	f, err := os.Open(s.Mountpoint(name))
	if err != nil {
		return false
	}
	defer f.Close()
	names, _ := f.Readdirnames(1)
	return len(names) == 0
}

// Size adds up the sizes of the regular files in a volume (what prune
// reclaims, and system df shows).
func (s *Store) Size(name string) int64 {
	var n int64
	filepath.WalkDir(s.Mountpoint(name), func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// GiveTo makes a volume's data directory owned by uid:gid and the store's
// directory passable by others (0711, as Docker's data root), so that a
// container in a user namespace whose root is uid:gid on the host can
// reach and write its volume (--userns auto). Only the data directory
// changes owner: what is inside keeps its owners.
func (s *Store) GiveTo(name string, uid, gid int) error {
	if err := os.Chmod(s.dir, 0o711); err != nil {
		return fmt.Errorf("volumes %s: %w", s.dir, err)
	}
	if err := os.Chown(s.Mountpoint(name), uid, gid); err != nil {
		return fmt.Errorf("volume %s: %w", name, err)
	}
	return nil
}

// MakePassable makes the store's directory passable by others (0711),
// for a container in a user namespace that mounts a volume it did not
// create.
func (s *Store) MakePassable() error {
	if err := os.Chmod(s.dir, 0o711); err != nil {
		return fmt.Errorf("volumes %s: %w", s.dir, err)
	}
	return nil
}
