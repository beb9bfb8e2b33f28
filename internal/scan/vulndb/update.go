package vulndb

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultEcosystems are the osv.dev dumps ward's analyzers can use: one
// per distribution family and language registry the matcher maps to.
var DefaultEcosystems = []string{
	"Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard", "Red Hat", "Rocky Linux", "AlmaLinux", "openSUSE", "Mageia",
	"Go", "npm", "PyPI", "Maven", "RubyGems", "crates.io", "Packagist",
}

// Dump names the osv.dev dump that holds ecosystem's records: the part
// before the first colon ("Debian:12" is in Debian/all.zip, "Red
// Hat:enterprise_linux:9::baseos" in Red Hat/all.zip).
func Dump(ecosystem string) string {
	d, _, _ := strings.Cut(ecosystem, ":")
	return d
}

// UpdateResult says what one ecosystem's download did.
type UpdateResult struct {
	Ecosystem string
	URL       string
	Records   int
	NotFound  bool // the mirror has no dump for this ecosystem
	Unchanged bool // the mirror answered 304 Not Modified
}

// Update downloads ECOSYSTEM/all.zip for each ecosystem from a mirror laid
// out like osv.dev's bucket, and imports it. A base URL ending in .zip is
// fetched as is. The zip is staged next to the database, never elsewhere.
func (db *DB) Update(ctx context.Context, client *http.Client, base string, ecosystems []string, now time.Time) ([]UpdateResult, error) {
	var urls []UpdateResult
	if strings.HasSuffix(base, ".zip") {
		urls = append(urls, UpdateResult{URL: base})
	} else {
		for _, eco := range ecosystems {
			urls = append(urls, UpdateResult{Ecosystem: eco, URL: strings.TrimSuffix(base, "/") + "/" + url.PathEscape(eco) + "/all.zip"})
		}
	}
	found := 0
	for i := range urls {
		r := &urls[i]
		if err := db.fetchAndImport(ctx, client, r, now); err != nil {
			return urls, err
		}
		if !r.NotFound {
			found++
		}
	}
	if found == 0 {
		return urls, fmt.Errorf("update from %s: the mirror has none of the dumps asked for", base)
	}
	return urls, nil
}

func (db *DB) fetchAndImport(ctx context.Context, client *http.Client, r *UpdateResult, now time.Time) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return fmt.Errorf("update from %s: %w", r.URL, err)
	}
	etagKey := []byte("etag:" + r.URL)
	db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(etagKey); v != nil {
			req.Header.Set("If-None-Match", string(v))
		}
		return nil
	})
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("update from %s: %w", r.URL, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		r.Unchanged = true
		return nil
	case http.StatusNotFound:
		r.NotFound = true
		return nil
	default:
		return fmt.Errorf("update from %s: %s", r.URL, resp.Status)
	}
	tmp, err := os.CreateTemp(filepath.Dir(db.path), ".download-*.zip")
	if err != nil {
		return fmt.Errorf("update from %s: %w", r.URL, err)
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, resp.Body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("update from %s: download: %w", r.URL, err)
	}
	im := &importer{db: db}
	if err := im.importZip(tmp.Name()); err != nil {
		return fmt.Errorf("update from %s: %w", r.URL, err)
	}
	info, err := im.finish(r.URL, now)
	if err != nil {
		return fmt.Errorf("update from %s: %w", r.URL, err)
	}
	r.Records = info.Records
	if etag := resp.Header.Get("ETag"); etag != "" {
		return db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(etagKey, []byte(etag)) })
	}
	return nil
}
