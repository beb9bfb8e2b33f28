package idrange

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// ErrExhausted is returned when the pool has no free range of the size
// asked for.
var ErrExhausted = errors.New("no free id range")

// Range is one container's slice of the pool: host ids UID..UID+Size-1
// and GID..GID+Size-1, mapped to 0..Size-1 inside.
type Range struct {
	UID  uint32 `json:"uid"`
	GID  uint32 `json:"gid"`
	Size uint32 `json:"size"`
	// Offset is where the range starts in the pool.
	Offset uint64 `json:"offset"`
}

// UIDMappings is the range as the spec's linux.uidMappings.
func (r Range) UIDMappings() []specs.LinuxIDMapping {
	return []specs.LinuxIDMapping{{ContainerID: 0, HostID: r.UID, Size: r.Size}}
}

// GIDMappings is the range as the spec's linux.gidMappings.
func (r Range) GIDMappings() []specs.LinuxIDMapping {
	return []specs.LinuxIDMapping{{ContainerID: 0, HostID: r.GID, Size: r.Size}}
}

var bucketRanges = []byte("ranges") // container ID -> Range (JSON)

// Allocator records which container holds which range.
type Allocator struct {
	db    *bolt.DB
	lock  *os.File
	files Files
	// Added names the files EnsurePool extended when this allocator was
	// opened, for the notice ward prints once.
	Added []string
}

// Open opens (creating) the allocation database at path and makes sure
// the pool exists in files. The database stays locked against other
// ward processes until Close, so keep it open only for one change.
func Open(path string, files Files) (*Allocator, error) {
	// bbolt polls its lock every 50 ms; a blocking flock on a file of our
	// own first lets concurrent wards queue in the kernel instead.
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("id range database %s: %w", path, err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		lock.Close()
		return nil, fmt.Errorf("id range database %s: %w", path, err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 30 * time.Second})
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("id range database %s: %w", path, err)
	}
	return &Allocator{db: db, lock: lock, files: files}, nil
}

// Close releases the database and its lock.
func (a *Allocator) Close() error {
	err := a.db.Close()
	a.lock.Close()
	return err
}

// pool reads (and once adds) ward's pool; it runs under the database's
// lock so two wards do not both add it.
func (a *Allocator) pool() (Pool, error) {
	p, added, err := EnsurePool(a.files)
	a.Added = append(a.Added, added...)
	return p, err
}

// Allocate gives container id a range of size ids (DefaultSize when 0),
// or returns the one it already has.
func (a *Allocator) Allocate(id string, size uint32) (Range, error) {
	if size == 0 {
		size = DefaultSize
	}
	p, err := a.pool()
	if err != nil {
		return Range{}, err
	}
	var r Range
	err = a.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketRanges)
		if err != nil {
			return err
		}
		if v := b.Get([]byte(id)); v != nil {
			return json.Unmarshal(v, &r)
		}
		used, err := allocated(b)
		if err != nil {
			return err
		}
		off, ok := firstFit(used, uint64(size), p.Size())
		if !ok {
			return fmt.Errorf("container %s: %w of %d ids in ward's pool (%s %d+%d): remove containers or grow the %s entries", id, ErrExhausted, size, a.files.SubUID, p.UID.Start, p.UID.Count, Owner)
		}
		r = Range{UID: uint32(p.UID.Start + off), GID: uint32(p.GID.Start + off), Size: size, Offset: off}
		v, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return b.Put([]byte(id), v)
	})
	return r, err
}

// Peek returns the range Allocate would give now, allocating nothing:
// what a dry run shows.
func (a *Allocator) Peek(size uint32) (Range, error) {
	if size == 0 {
		size = DefaultSize
	}
	p, _, err := peekPool(a.files)
	if err != nil {
		return Range{}, err
	}
	var r Range
	err = a.db.View(func(tx *bolt.Tx) error {
		used, err := allocated(tx.Bucket(bucketRanges))
		if err != nil {
			return err
		}
		off, ok := firstFit(used, uint64(size), p.Size())
		if !ok {
			return fmt.Errorf("%w of %d ids in ward's pool", ErrExhausted, size)
		}
		r = Range{UID: uint32(p.UID.Start + off), GID: uint32(p.GID.Start + off), Size: size, Offset: off}
		return nil
	})
	return r, err
}

// Release frees container id's range; releasing none is not an error.
func (a *Allocator) Release(id string) error {
	// A release lost to a crash only leaves a range that Reclaim frees:
	// it need not wait for the disk, unlike an allocation, which must
	// never be forgotten while its container runs.
	a.db.NoSync = true
	defer func() { a.db.NoSync = false }()
	return a.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRanges)
		if b == nil {
			return nil
		}
		return b.Delete([]byte(id))
	})
}

// Reclaim frees the ranges of containers for which exists says false,
// and returns their IDs.
func (a *Allocator) Reclaim(exists func(id string) bool) ([]string, error) {
	var freed []string
	err := a.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRanges)
		if b == nil {
			return nil
		}
		var dead [][]byte
		if err := b.ForEach(func(k, _ []byte) error {
			if !exists(string(k)) {
				dead = append(dead, slices.Clone(k))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
			freed = append(freed, string(k))
		}
		return nil
	})
	return freed, err
}

// List returns every allocation by container ID.
func (a *Allocator) List() (map[string]Range, error) {
	out := map[string]Range{}
	err := a.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRanges)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var r Range
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("id range of %s: %w", k, err)
			}
			out[string(k)] = r
			return nil
		})
	})
	return out, err
}

// span is a used part of the pool, by offset.
type span struct{ off, size uint64 }

func allocated(b *bolt.Bucket) ([]span, error) {
	var used []span
	if b == nil {
		return nil, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		var r Range
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("id range of %s: %w", k, err)
		}
		used = append(used, span{r.Offset, uint64(r.Size)})
		return nil
	})
	slices.SortFunc(used, func(a, b span) int { return cmpU(a.off, b.off) })
	return used, err
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// firstFit returns the lowest offset where size ids fit in a pool of
// poolSize ids beside the used spans (sorted by offset). Default-sized
// ranges start on multiples of their size, so that sizes mixed over time
// do not leave gaps too small for the usual range.
func firstFit(used []span, size, poolSize uint64) (uint64, bool) {
	align := uint64(1)
	if size%DefaultSize == 0 {
		align = DefaultSize
	}
	off := uint64(0)
	for _, u := range used {
		if off+size <= u.off {
			return off, true
		}
		if end := u.off + u.size; end > off {
			off = (end + align - 1) / align * align
		}
	}
	return off, off+size <= poolSize
}
