package vulndb

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxRecord bounds one OSV record read into memory.
const maxRecord = 16 << 20

// batchSize is how many records go in one write transaction: large enough
// that an all.zip imports quickly, small enough to bound memory.
const batchSize = 2000

// importer accumulates records and writes them in batches.
type importer struct {
	db      *DB
	pending [][]byte
	stored  int
	newest  time.Time
}

func (im *importer) add(raw []byte) error {
	im.pending = append(im.pending, raw)
	if len(im.pending) >= batchSize {
		return im.flush()
	}
	return nil
}

func (im *importer) flush() error {
	if len(im.pending) == 0 {
		return nil
	}
	err := im.db.bolt.Update(func(tx *bolt.Tx) error {
		for _, raw := range im.pending {
			ok, err := put(tx, raw)
			if err != nil {
				return fmt.Errorf("record %.60q: %w", raw, err)
			}
			if ok {
				im.stored++
				var m struct {
					Modified time.Time `json:"modified"`
				}
				if json.Unmarshal(raw, &m) == nil && m.Modified.After(im.newest) {
					im.newest = m.Modified
				}
			}
		}
		return nil
	})
	im.pending = im.pending[:0]
	return err
}

// finish writes what is pending and records the import in meta.
func (im *importer) finish(name string, now time.Time) (SourceInfo, error) {
	if err := im.flush(); err != nil {
		return SourceInfo{}, err
	}
	info := SourceInfo{Name: name, Records: im.stored, ImportedAt: now.UTC()}
	err := im.db.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		b, _ := json.Marshal(info)
		if err := meta.Put([]byte("source:"+name), b); err != nil {
			return err
		}
		if err := meta.Put([]byte("updated"), []byte(info.ImportedAt.Format(time.RFC3339))); err != nil {
			return err
		}
		if old, err := time.Parse(time.RFC3339, string(meta.Get([]byte("newest")))); err == nil && old.After(im.newest) {
			return nil
		}
		if im.newest.IsZero() {
			return nil
		}
		return meta.Put([]byte("newest"), []byte(im.newest.UTC().Format(time.RFC3339)))
	})
	return info, err
}

// Import loads OSV records from path: one JSON record, a zip of records
// (osv.dev's per-ecosystem all.zip), or a directory holding either.
func (db *DB) Import(path string, now time.Time) (SourceInfo, error) {
	im := &importer{db: db}
	fi, err := os.Stat(path)
	if err != nil {
		return SourceInfo{}, fmt.Errorf("import %s: %w", path, err)
	}
	if fi.IsDir() {
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".zip")) {
				return im.importFile(p)
			}
			return nil
		})
	} else {
		err = im.importFile(path)
	}
	if err != nil {
		return SourceInfo{}, fmt.Errorf("import %s: %w", path, err)
	}
	abs, _ := filepath.Abs(path)
	return im.finish(abs, now)
}

func (im *importer) importFile(p string) error {
	if strings.HasSuffix(p, ".zip") {
		return im.importZip(p)
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxRecord))
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if err := im.add(raw); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

func (im *importer) importZip(p string) error {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".json") || f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %s: %w", p, f.Name, err)
		}
		raw, err := io.ReadAll(io.LimitReader(rc, maxRecord))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %s: %w", p, f.Name, err)
		}
		if err := im.add(raw); err != nil {
			return fmt.Errorf("%s: %s: %w", p, f.Name, err)
		}
	}
	return nil
}
