package vulndb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The database file layout, one bbolt file:
//
//	records  ID -> the OSV record as imported (compact JSON)
//	index    ECOSYSTEM \x00 PACKAGE \x00 ID -> Advisory JSON for that package
//	meta     "updated" -> RFC 3339 time of the last import or update
//	         "source:" + NAME -> JSON SourceInfo for each import or mirror URL
//	         "etag:" + URL -> the mirror's ETag, for conditional downloads
var (
	bucketRecords = []byte("records")
	bucketIndex   = []byte("index")
	bucketMeta    = []byte("meta")
)

// FileName is the database file inside the directory given to Open.
const FileName = "osv.db"

// ErrNoDatabase is returned by OpenReadOnly when nothing was imported yet.
var ErrNoDatabase = errors.New("no vulnerability database (run `ward db import` or `ward db update`)")

// DB is an open vulnerability database. Open it for writing to import,
// read-only to scan (many scans may read at once).
type DB struct {
	bolt *bolt.DB
	path string
}

// Open opens or creates the database in dir for writing.
func Open(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create vulnerability database directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	b, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 10 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open vulnerability database %s: %w", path, err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketRecords, bucketIndex, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("initialize vulnerability database %s: %w", path, err)
	}
	return &DB{bolt: b, path: path}, nil
}

// OpenReadOnly opens the database in dir for scanning.
func OpenReadOnly(dir string) (*DB, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNoDatabase)
	}
	b, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, Timeout: 10 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open vulnerability database %s: %w", path, err)
	}
	return &DB{bolt: b, path: path}, nil
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Close closes the database file.
func (db *DB) Close() error { return db.bolt.Close() }

func indexKey(ecosystem, name, id string) []byte {
	return []byte(ecosystem + "\x00" + IndexName(ecosystem, name) + "\x00" + id)
}

// IndexName is the name a package is indexed and looked up by: as the
// record writes it, except where the ecosystem's names are not
// case-sensitive. PyPI's are normalized as PEP 503 says (lower case, runs
// of '-', '_' and '.' as one '-'), so "Django", "django" and "zope_interface"
// find their records whichever spelling the record and the metadata use.
func IndexName(ecosystem, name string) string {
	if ecosystem != "PyPI" {
		return name
	}
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// put stores one record, replacing an older copy and its index entries.
// It reports whether the record was stored (withdrawn records are removed).
func put(tx *bolt.Tx, raw []byte) (bool, error) {
	var v Vulnerability
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, err
	}
	if v.ID == "" {
		return false, errors.New("record has no id")
	}
	records, index := tx.Bucket(bucketRecords), tx.Bucket(bucketIndex)
	if old := records.Get([]byte(v.ID)); old != nil {
		var o Vulnerability
		if err := json.Unmarshal(old, &o); err == nil {
			for _, a := range o.Affected {
				if err := index.Delete(indexKey(a.Package.Ecosystem, a.Package.Name, o.ID)); err != nil {
					return false, err
				}
			}
		}
	}
	if v.Withdrawn != nil {
		return false, records.Delete([]byte(v.ID))
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return false, err
	}
	if err := records.Put([]byte(v.ID), compact.Bytes()); err != nil {
		return false, err
	}
	// Group affected entries by package: one record may list a package
	// under several ranges or ecosystems (Debian:11 and Debian:12).
	byPkg := map[[2]string][]Affected{}
	for _, a := range v.Affected {
		k := [2]string{a.Package.Ecosystem, a.Package.Name}
		byPkg[k] = append(byPkg[k], a)
	}
	aliases := append(append([]string(nil), v.Aliases...), v.Upstream...)
	for k, affected := range byPkg {
		adv := Advisory{ID: v.ID, Aliases: dedupe(aliases, v.ID), Summary: v.Summary, Severity: recordSeverity(&v, affected), Affected: affected,
			Published: v.Published, Modified: v.Modified}
		for _, s := range append(append([]Severity(nil), v.Severity...), affectedSeverities(affected)...) {
			if strings.HasPrefix(s.Type, "CVSS_") {
				adv.CVSS = append(adv.CVSS, s)
			}
		}
		for _, r := range v.References {
			if len(adv.References) < maxReferences && r.URL != "" {
				adv.References = append(adv.References, r.URL)
			}
		}
		b, err := json.Marshal(adv)
		if err != nil {
			return false, err
		}
		if err := index.Put(indexKey(k[0], k[1], v.ID), b); err != nil {
			return false, err
		}
	}
	return true, nil
}

func dedupe(list []string, drop string) []string {
	seen := map[string]bool{drop: true}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Advisories returns every advisory for package name in ecosystem.
func (db *DB) Advisories(ecosystem, name string) ([]Advisory, error) {
	prefix := []byte(ecosystem + "\x00" + IndexName(ecosystem, name) + "\x00")
	var out []Advisory
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketIndex).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var a Advisory
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("index entry %q: %w", k, err)
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// HasEcosystem reports whether the database holds any advisory of
// ecosystem: when it holds none, "no findings" there means "not looked".
func (db *DB) HasEcosystem(ecosystem string) (bool, error) {
	prefix := []byte(ecosystem + "\x00")
	found := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketIndex).Cursor().Seek(prefix)
		found = k != nil && bytes.HasPrefix(k, prefix)
		return nil
	})
	return found, err
}

// AliasSeverity returns the severity the database's records of aliases
// state (the CVE or GHSA record of a Go advisory that rates nothing
// itself), the most serious one when they differ; UNKNOWN when none rates.
func (db *DB) AliasSeverity(aliases []string) (string, error) {
	best := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		records := tx.Bucket(bucketRecords)
		for _, id := range aliases {
			raw := records.Get([]byte(id))
			if raw == nil {
				continue
			}
			var v Vulnerability
			if err := json.Unmarshal(raw, &v); err != nil {
				return fmt.Errorf("record %s: %w", id, err)
			}
			best = max(best, SeverityRank(recordSeverity(&v, v.Affected)))
		}
		return nil
	})
	return severityName(best), err
}

// Record returns the full OSV record with id, or nil.
func (db *DB) Record(id string) (json.RawMessage, error) {
	var out json.RawMessage
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketRecords).Get([]byte(id)); v != nil {
			out = append(json.RawMessage(nil), v...)
		}
		return nil
	})
	return out, err
}

// SourceInfo records one import or download.
type SourceInfo struct {
	Name       string    `json:"name"` // file, directory or URL
	Records    int       `json:"records"`
	ImportedAt time.Time `json:"importedAt"`
}

// Status says what the database holds and how old it is.
type Status struct {
	Path       string         `json:"path"`
	Records    int            `json:"records"`
	Ecosystems map[string]int `json:"ecosystems"` // ecosystem -> (package, advisory) pairs
	Updated    time.Time      `json:"updated"`
	// Newest is the latest "modified" time among the records: how current
	// the data is, whatever the time of the import.
	Newest  time.Time    `json:"newest"`
	Sources []SourceInfo `json:"sources"`
}

// Age is how long ago the database was last imported or updated.
func (s Status) Age(now time.Time) time.Duration {
	if s.Updated.IsZero() {
		return 0
	}
	return now.Sub(s.Updated)
}

// Status reads counts and times; it walks keys only, not records, except
// to find the newest modification time.
func (db *DB) Status() (Status, error) {
	st := Status{Path: db.path, Ecosystems: map[string]int{}, Sources: []SourceInfo{}}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get([]byte("updated")); v != nil {
			st.Updated, _ = time.Parse(time.RFC3339, string(v))
		}
		if v := meta.Get([]byte("newest")); v != nil {
			st.Newest, _ = time.Parse(time.RFC3339, string(v))
		}
		c := meta.Cursor()
		for k, v := c.Seek([]byte("source:")); k != nil && bytes.HasPrefix(k, []byte("source:")); k, v = c.Next() {
			var s SourceInfo
			if json.Unmarshal(v, &s) == nil {
				st.Sources = append(st.Sources, s)
			}
		}
		st.Records = tx.Bucket(bucketRecords).Stats().KeyN
		return tx.Bucket(bucketIndex).ForEach(func(k, _ []byte) error {
			eco, _, _ := strings.Cut(string(k), "\x00")
			st.Ecosystems[eco]++
			return nil
		})
	})
	sort.Slice(st.Sources, func(i, j int) bool { return st.Sources[i].ImportedAt.After(st.Sources[j].ImportedAt) })
	return st, err
}

// Updated returns the time of the last import or update without walking
// the index, for callers that only need the age.
func (db *DB) Updated() (time.Time, error) {
	var t time.Time
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get([]byte("updated")); v != nil {
			t, _ = time.Parse(time.RFC3339, string(v))
		}
		return nil
	})
	return t, err
}

func affectedSeverities(affected []Affected) []Severity {
	var out []Severity
	for _, a := range affected {
		out = append(out, a.Severity...)
	}
	return out
}
