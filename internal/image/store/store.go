// Package store keeps images on disk. Blobs (manifests, configs, layers)
// live content-addressed in an OCI image layout; what names them (image
// records, tags, digests) lives in a bbolt database beside it.
//
// Crash safety comes from the order of writes: every blob is written to a
// temporary file, verified against its digest and renamed into place; only
// then does one bbolt transaction record the image and its references. A
// crash before the transaction leaves at most unreferenced blobs, which
// the next Delete collects; never a record without its blobs.
//
// Concurrency: writers (Write, Import) hold a shared lock on the store's
// lock file while they add blobs; Delete holds it exclusively while it
// removes unreferenced blobs, so it never collects a blob that a running
// pull has written but not yet recorded. bbolt serializes the metadata.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/image"
)

// Errors callers map to messages and exit codes.
var (
	ErrNotFound = errors.New("no such image")
	ErrInUse    = errors.New("image is in use")
	ErrConflict = errors.New("conflict")
)

var (
	bucketImages = []byte("images") // image ID -> image.Image JSON
	bucketRefs   = []byte("refs")   // full reference -> image ID
	bucketBlobs  = []byte("blobs")  // layer digest -> verified blobInfo JSON
)

// Store is an image store rooted at one directory.
type Store struct {
	dir string
	// InUse, when set, lists the containers using an image; Delete refuses
	// to remove an image that some container uses. The engine sets it.
	InUse func(id v1.Hash) ([]string, error)
}

// Open opens (creating if needed) the store in dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o700); err != nil {
		return nil, fmt.Errorf("image store %s: %w", dir, err)
	}
	layout := filepath.Join(dir, "oci-layout")
	if _, err := os.Stat(layout); os.IsNotExist(err) {
		if err := writeFileAtomic(layout, []byte(`{"imageLayoutVersion":"1.0.0"}`)); err != nil {
			return nil, err
		}
	}
	return &Store{dir: dir}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// lock takes the store's lock file, shared or exclusive; the returned
// function releases it.
func (s *Store) lock(how int) (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("image store lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, fmt.Errorf("image store lock: %w", err)
	}
	return func() { f.Close() }, nil
}

// db opens the metadata database for one operation: bbolt holds a file
// lock while open, so other ward processes wait only as long as one
// transaction, not as long as a pull.
func (s *Store) db(readOnly bool) (*bolt.DB, error) {
	db, err := bolt.Open(filepath.Join(s.dir, "meta.db"), 0o600, &bolt.Options{Timeout: 30 * time.Second, ReadOnly: readOnly})
	if err != nil {
		return nil, fmt.Errorf("image metadata %s: %w", s.dir, err)
	}
	return db, nil
}

func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	db, err := s.db(false)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketImages, bucketRefs, bucketBlobs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

// updateIndexed is update followed by a refresh of index.json.
func (s *Store) updateIndexed(fn func(tx *bolt.Tx) error) error {
	if err := s.update(fn); err != nil {
		return err
	}
	return s.writeIndex()
}

func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	if _, err := os.Stat(filepath.Join(s.dir, "meta.db")); os.IsNotExist(err) {
		// An empty store: create the database so readers see empty buckets.
		if err := s.update(func(*bolt.Tx) error { return nil }); err != nil {
			return err
		}
	}
	db, err := s.db(true)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(fn)
}

func getImage(tx *bolt.Tx, id v1.Hash) (*image.Image, error) {
	data := tx.Bucket(bucketImages).Get([]byte(id.String()))
	if data == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	var img image.Image
	if err := json.Unmarshal(data, &img); err != nil {
		return nil, fmt.Errorf("image record %s: %w", id, err)
	}
	refs := tx.Bucket(bucketRefs)
	refs.ForEach(func(k, v []byte) error {
		if string(v) == id.String() {
			if strings.Contains(string(k), "@") {
				img.RepoDigests = append(img.RepoDigests, string(k))
			} else {
				img.RepoTags = append(img.RepoTags, string(k))
			}
		}
		return nil
	})
	return &img, nil
}

func putImage(tx *bolt.Tx, img *image.Image) error {
	data, err := json.Marshal(img)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketImages).Put([]byte(img.ID.String()), data)
}

// List returns every image, newest first.
func (s *Store) List() ([]*image.Image, error) {
	var out []*image.Image
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketImages).ForEach(func(k, _ []byte) error {
			id, err := v1.NewHash(string(k))
			if err != nil {
				return err
			}
			img, err := getImage(tx, id)
			if err != nil {
				return err
			}
			out = append(out, img)
			return nil
		})
	})
	slices.SortStableFunc(out, func(a, b *image.Image) int { return b.Created.Compare(a.Created) })
	return out, err
}

// Get finds an image by reference (busybox, busybox:1.36,
// repo@sha256:...), by full ID, or by a unique prefix of its ID.
func (s *Store) Get(what string) (*image.Image, error) {
	var img *image.Image
	err := s.view(func(tx *bolt.Tx) error {
		id, err := resolve(tx, what)
		if err != nil {
			return err
		}
		img, err = getImage(tx, id)
		return err
	})
	return img, err
}

// resolve turns what a user typed into an image ID. References win over
// ID prefixes, as in docker.
func resolve(tx *bolt.Tx, what string) (v1.Hash, error) {
	ref, refErr := image.ParseReference(what)
	if refErr == nil {
		if v := tx.Bucket(bucketRefs).Get([]byte(ref.Name())); v != nil {
			return v1.NewHash(string(v))
		}
	}
	prefix := strings.TrimPrefix(what, "sha256:")
	if refErr != nil && !(isHex(prefix) && prefix != "" && len(prefix) <= 64) {
		return v1.Hash{}, refErr // neither a reference nor an ID
	}
	if isHex(prefix) && prefix != "" && len(prefix) <= 64 {
		var found []string
		c := tx.Bucket(bucketImages).Cursor()
		p := []byte("sha256:" + prefix)
		for k, _ := c.Seek(p); k != nil && strings.HasPrefix(string(k), string(p)); k, _ = c.Next() {
			found = append(found, string(k))
		}
		switch len(found) {
		case 1:
			return v1.NewHash(found[0])
		case 0:
		default:
			return v1.Hash{}, fmt.Errorf("%w: ID prefix %s names %d images", ErrConflict, what, len(found))
		}
	}
	return v1.Hash{}, fmt.Errorf("%w: %s", ErrNotFound, what)
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Tag points ref at the image that what names.
func (s *Store) Tag(what string, ref name.Tag) error {
	return s.updateIndexed(func(tx *bolt.Tx) error {
		id, err := resolve(tx, what)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketRefs).Put([]byte(ref.Name()), []byte(id.String()))
	})
}

// Untag removes a reference; the image stays, possibly untagged.
func (s *Store) Untag(ref name.Reference) error {
	return s.updateIndexed(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRefs)
		if b.Get([]byte(ref.Name())) == nil {
			return fmt.Errorf("%w: %s", ErrNotFound, image.Familiar(ref.Name()))
		}
		return b.Delete([]byte(ref.Name()))
	})
}

// Delete removes an image and all its references, then the blobs no
// image references any more. It refuses when a container uses the image.
func (s *Store) Delete(id v1.Hash) error {
	if s.InUse != nil {
		users, err := s.InUse(id)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return fmt.Errorf("%w: image %s is used by container %s", ErrInUse, id.Hex[:12], strings.Join(users, ", "))
		}
	}
	unlock, err := s.lock(unix.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	var live map[string]bool
	err = s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketImages).Get([]byte(id.String())) == nil {
			return fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		if err := tx.Bucket(bucketImages).Delete([]byte(id.String())); err != nil {
			return err
		}
		refs := tx.Bucket(bucketRefs)
		var dead [][]byte
		refs.ForEach(func(k, v []byte) error {
			if string(v) == id.String() {
				dead = append(dead, slices.Clone(k))
			}
			return nil
		})
		for _, k := range dead {
			if err := refs.Delete(k); err != nil {
				return err
			}
		}
		live, err = forgetDeadBlobs(tx)
		return err
	})
	if err != nil {
		return err
	}
	if err := s.writeIndex(); err != nil {
		return err
	}
	return s.collect(live)
}

// Collect removes the blobs no image references, the temporary files of
// writes that never finished, and what the store remembers of them. It
// waits for writes in progress (they hold the lock shared), so a blob one
// of them wrote and is about to record is never taken. A failed write
// calls it so that nothing of a refused image stays; prune calls it too.
func (s *Store) Collect() error {
	unlock, err := s.lock(unix.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	var live map[string]bool
	err = s.update(func(tx *bolt.Tx) error {
		live, err = forgetDeadBlobs(tx)
		return err
	})
	if err != nil {
		return err
	}
	return s.collect(live)
}

// liveBlobs lists every blob some image references.
func liveBlobs(tx *bolt.Tx) (map[string]bool, error) {
	live := map[string]bool{}
	err := tx.Bucket(bucketImages).ForEach(func(k, v []byte) error {
		var img image.Image
		if err := json.Unmarshal(v, &img); err != nil {
			return fmt.Errorf("image record %s: %w", k, err)
		}
		live[img.ID.String()] = true
		live[img.Manifest.String()] = true
		for _, l := range img.Layers {
			live[l.Digest.String()] = true
		}
		return nil
	})
	return live, err
}

// collect removes blob files (and leftover temporary files) not in live.
// The caller holds the exclusive lock.
func (s *Store) collect(live map[string]bool) error {
	dir := filepath.Join(s.dir, "blobs", "sha256")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !live["sha256:"+e.Name()] {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("removing blob %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}

// Layers returns an image's layers, base first: what a snapshotter unpacks.
func (s *Store) Layers(what string) ([]image.Layer, error) {
	img, err := s.Get(what)
	if err != nil {
		return nil, err
	}
	return img.Layers, nil
}

func writeFileAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-"+filepath.Base(p))
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// writeIndex rewrites index.json, the OCI layout's list of manifests, from
// the metadata: one entry per reference (annotated with its name, as
// skopeo and containerd write them) and one per untagged image. It is
// derived data, so a crash or a concurrent writer only leaves it stale
// until the next change; ward itself reads the database.
func (s *Store) writeIndex() error {
	idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{}}
	err := s.view(func(tx *bolt.Tx) error {
		tagged := map[string]bool{}
		images := map[string]*image.Image{}
		err := tx.Bucket(bucketImages).ForEach(func(k, v []byte) error {
			var img image.Image
			if err := json.Unmarshal(v, &img); err != nil {
				return err
			}
			images[string(k)] = &img
			return nil
		})
		if err != nil {
			return err
		}
		desc := func(img *image.Image) v1.Descriptor {
			return v1.Descriptor{MediaType: img.ManifestMediaType, Digest: img.Manifest, Size: img.ManifestSize}
		}
		tx.Bucket(bucketRefs).ForEach(func(k, v []byte) error {
			img := images[string(v)]
			if img == nil || strings.Contains(string(k), "@") {
				return nil
			}
			tagged[string(v)] = true
			d := desc(img)
			d.Annotations = map[string]string{"org.opencontainers.image.ref.name": string(k)}
			idx.Manifests = append(idx.Manifests, d)
			return nil
		})
		for k, img := range images {
			if !tagged[k] {
				idx.Manifests = append(idx.Manifests, desc(img))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortStableFunc(idx.Manifests, func(a, b v1.Descriptor) int {
		return strings.Compare(a.Annotations["org.opencontainers.image.ref.name"]+a.Digest.String(),
			b.Annotations["org.opencontainers.image.ref.name"]+b.Digest.String())
	})
	data, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(s.dir, "index.json"), data)
}

// forgetDeadBlobs drops what the store remembers of blobs no image
// references any more, and returns the live ones.
func forgetDeadBlobs(tx *bolt.Tx) (map[string]bool, error) {
	live, err := liveBlobs(tx)
	if err != nil {
		return nil, err
	}
	blobs := tx.Bucket(bucketBlobs)
	var gone [][]byte
	blobs.ForEach(func(k, _ []byte) error {
		if !live[string(k)] {
			gone = append(gone, slices.Clone(k))
		}
		return nil
	})
	for _, k := range gone {
		if err := blobs.Delete(k); err != nil {
			return nil, err
		}
	}
	return live, nil
}
