package record

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
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/monitorlock"
)

// Errors callers map to messages and exit codes.
var (
	ErrNotFound  = errors.New("no such container")
	ErrConflict  = errors.New("conflict")
	ErrAmbiguous = errors.New("ambiguous container name or ID prefix")
)

const recordFile = "container.json"

// validName is Docker's rule for container names.
//
// Compiled on first use, not at every start of the program.
var validName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`) })

// Records is the directory of container records, ROOT/containers.
type Records struct{ dir string }

// OpenRecords opens (creating if needed) the records directory.
func OpenRecords(dir string) (*Records, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("container records %s: %w", dir, err)
	}
	return &Records{dir: dir}, nil
}

// Path is the directory of all records, ROOT/containers.
func (r *Records) Path() string { return r.dir }

// Dir is a container's directory.
func (r *Records) Dir(id string) string { return filepath.Join(r.dir, id) }

// lock takes the records' exclusive lock, which serializes creating and
// removing records so that names stay unique between concurrent commands.
func (r *Records) lock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(r.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock container records: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock container records: %w", err)
	}
	return func() { f.Close() }, nil
}

// NewID returns a random 64-hex-digit container ID.
func NewID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}

// Add records a new container under a name no other container has; an
// empty name is generated. It fills c.Name.
func (r *Records) Add(c *Container, name string) error {
	if name != "" && !validName().MatchString(name) {
		return fmt.Errorf("invalid container name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name)
	}
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	all, err := r.List()
	if err != nil {
		return err
	}
	taken := map[string]string{}
	for _, o := range all {
		taken[o.ShortName()] = o.ID
	}
	if name == "" {
		for i := 0; name == "" || taken[name] != ""; i++ {
			name = generateName()
			if i >= 8 { // the short lists are crowded: add digits
				name += "_" + NewID()[:6]
			}
		}
	} else if id := taken[name]; id != "" {
		return fmt.Errorf("%w: the container name %q is already in use by container %s", ErrConflict, "/"+name, id)
	}
	c.Name = "/" + name
	if err := os.Mkdir(r.Dir(c.ID), 0o700); err != nil {
		return fmt.Errorf("container %s: %w", c.ID, err)
	}
	if err := r.Save(c); err != nil {
		os.RemoveAll(r.Dir(c.ID))
		return err
	}
	return nil
}

// Save writes a record atomically: a temporary file, synced, renamed
// over the old.
func (r *Records) Save(c *Container) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("container %s: %w", c.ID, err)
	}
	path := filepath.Join(r.Dir(c.ID), recordFile)
	tmp, err := os.CreateTemp(r.Dir(c.ID), ".container-*.json")
	if err != nil {
		return fmt.Errorf("save container %s: %w", c.ID, err)
	}
	_, werr := tmp.Write(data)
	var serr error
	if !c.HostConfig.AutoRemove {
		// A --rm container is gone at its end anyway: its records skip
		// the fsyncs, which are a good part of a short run's time.
		serr = tmp.Sync()
	}
	if err := errors.Join(werr, serr, tmp.Close()); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save container %s: %w", c.ID, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save container %s: %w", c.ID, err)
	}
	return nil
}

// Load reads the record of a full container ID.
func (r *Records) Load(id string) (*Container, error) {
	data, err := os.ReadFile(filepath.Join(r.Dir(id), recordFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	var c Container
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	if d := ReadProfileDenials(filepath.Join(r.Dir(id), ProfileDenialsFile)); d != nil {
		c.State.ProfileDenials = d
	}
	c.State.ProfileDenialGaps = ReadProfileDenials(filepath.Join(r.Dir(id), ProfileDenialGapsFile))
	return &c, nil
}

// List returns every container, newest first.
func (r *Records) List() ([]*Container, error) {
	entries, err := os.ReadDir(r.dir)
	if err != nil {
		return nil, fmt.Errorf("container records %s: %w", r.dir, err)
	}
	var out []*Container
	for _, e := range entries {
		if !e.IsDir() || len(e.Name()) != 64 {
			continue
		}
		c, err := r.Load(e.Name())
		if errors.Is(err, ErrNotFound) {
			continue // removed meanwhile, or still being added
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// Find finds a container as Docker does: by full ID, by exact name, then
// by a unique ID prefix.
func (r *Records) Find(what string) (*Container, error) {
	all, err := r.List()
	if err != nil {
		return nil, err
	}
	name := strings.TrimPrefix(what, "/")
	for _, c := range all {
		if c.ID == what || c.ShortName() == name {
			return c, nil
		}
	}
	var found *Container
	for _, c := range all {
		if what != "" && strings.HasPrefix(c.ID, what) {
			if found != nil {
				return nil, fmt.Errorf("%w: %s", ErrAmbiguous, what)
			}
			found = c
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	return found, nil
}

// Delete removes a container's directory.
func (r *Records) Delete(id string) error {
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	// Remove the record first, so a crash midway leaves no half record.
	if err := os.Remove(filepath.Join(r.Dir(id), recordFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	if err := os.RemoveAll(r.Dir(id)); err != nil {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	return nil
}

// UsingImage lists the containers made from an image ID (sha256:...).
func (r *Records) UsingImage(imageID string) ([]string, error) {
	all, err := r.List()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range all {
		if c.Image == imageID {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// MonitorLock is held by the process supervising a container
// (internal/monitorlock).
type MonitorLock struct{ f *os.File }

// LockMonitor takes a container's monitor lock, failing with ErrConflict
// when another process holds it.
func (r *Records) LockMonitor(id string) (*MonitorLock, error) {
	f, err := monitorlock.Lock(r.Dir(id))
	if err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: container %s is already running", ErrConflict, id)
		}
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	return &MonitorLock{f: f}, nil
}

// Unlock releases the lock.
func (l *MonitorLock) Unlock() { l.f.Close() }

// Monitored tells whether some process supervises the container now.
func (r *Records) Monitored(id string) bool { return monitorlock.Held(r.Dir(id)) }

var (
	nameLeft  = []string{"brave", "calm", "eager", "fond", "keen", "quiet", "sharp", "stoic", "tender", "wise", "bold", "crisp", "gentle", "lucid", "patient", "vigilant"}
	nameRight = []string{"babbage", "curie", "dijkstra", "hopper", "knuth", "lovelace", "noether", "ritchie", "shannon", "thompson", "turing", "wozniak", "hamilton", "liskov", "lamport", "saltzer"}
)

// generateName makes a Docker-style name, adjective_scientist.
func generateName() string {
	b := make([]byte, 2)
	rand.Read(b)
	return nameLeft[int(b[0])%len(nameLeft)] + "_" + nameRight[int(b[1])%len(nameRight)]
}

// UsingVolume lists the containers whose records mount a volume.
func (r *Records) UsingVolume(name string) ([]string, error) {
	all, err := r.List()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, c := range all {
		for _, m := range c.Mounts {
			if m.Type == "volume" && m.Name == name {
				ids = append(ids, c.ID)
				break
			}
		}
	}
	return ids, nil
}

// VolumeUsers maps each volume the records mount to the containers
// mounting it.
func (r *Records) VolumeUsers() (map[string][]string, error) {
	all, err := r.List()
	if err != nil {
		return nil, err
	}
	users := map[string][]string{}
	for _, c := range all {
		for _, m := range c.Mounts {
			if m.Type == "volume" {
				users[m.Name] = append(users[m.Name], c.ID)
			}
		}
	}
	return users, nil
}
