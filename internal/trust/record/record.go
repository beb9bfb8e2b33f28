// Package record keeps what a signature verification established, per
// image manifest digest, in ward's root: the signer, the identity the
// signature claims, the digest it names and when it was verified. `ward
// run` reads it (a small file, no signature library) to check that the
// image it is about to run is the digest that was verified, under the
// trust policy in force.
package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Trust is one verification record; `ward image inspect` shows it as
// .Trust.
type Trust struct {
	Signer     string    `json:"Signer"`      // the key's fingerprint, or the certificate's identity
	Identity   string    `json:"Identity"`    // the docker-reference the signature claims
	Digest     string    `json:"Digest"`      // the manifest digest the signature names
	Manifest   string    `json:"Manifest"`    // the stored image's manifest digest (differs for an index)
	VerifiedAt time.Time `json:"VerifiedAt"`  // when ward verified it
	Scope      string    `json:"Scope"`       // the trust policy scope it was verified under
	Policy     string    `json:"PolicyPrint"` // the fingerprint of that scope's requirements
	Source     string    `json:"Source"`      // "registry" or "local"
	Reference  string    `json:"Reference"`   // the name it was verified for
}

// Dir is where records live in ward's root.
func Dir(root string) string { return filepath.Join(root, "trust", "verified") }

func file(root string, manifest v1.Hash) string {
	return filepath.Join(Dir(root), manifest.Algorithm+"-"+manifest.Hex+".json")
}

// Write stores rec for its manifest digest, replacing an older record.
func Write(root string, rec Trust) error {
	h, err := v1.NewHash(rec.Manifest)
	if err != nil {
		return fmt.Errorf("trust record: manifest %q: %w", rec.Manifest, err)
	}
	if err := os.MkdirAll(Dir(root), 0o700); err != nil {
		return fmt.Errorf("trust record: %w", err)
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(Dir(root), ".tmp-*")
	if err != nil {
		return fmt.Errorf("trust record: %w", err)
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file(root, h))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("trust record of %s: %w", h, err)
	}
	return nil
}

// Read returns the record of manifest; ok is false when there is none.
func Read(root string, manifest v1.Hash) (rec Trust, ok bool, err error) {
	b, err := os.ReadFile(file(root, manifest))
	if errors.Is(err, fs.ErrNotExist) {
		return Trust{}, false, nil
	}
	if err != nil {
		return Trust{}, false, fmt.Errorf("trust record of %s: %w", manifest, err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return Trust{}, false, fmt.Errorf("trust record of %s: %w", manifest, err)
	}
	if !strings.EqualFold(rec.Manifest, manifest.String()) {
		return Trust{}, false, fmt.Errorf("trust record of %s names %s", manifest, rec.Manifest)
	}
	return rec, true, nil
}

// Remove deletes the record of manifest, if any.
func Remove(root string, manifest v1.Hash) error {
	err := os.Remove(file(root, manifest))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("trust record of %s: %w", manifest, err)
	}
	return nil
}

// Prune removes the records of manifests not in keep.
func Prune(root string, keep map[v1.Hash]bool) error {
	return pruneDir(Dir(root), ".json", keep, os.Remove)
}

// pruneDir removes the entries of dir named ALGO-HEX+suffix whose digest is
// not in keep; entries of other names are left alone.
func pruneDir(dir, suffix string, keep map[v1.Hash]bool, remove func(string) error) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("trust records: %w", err)
	}
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), suffix)
		if !ok {
			continue
		}
		alg, hex, ok := strings.Cut(base, "-")
		if !ok {
			continue
		}
		h, err := v1.NewHash(alg + ":" + hex)
		if err != nil || keep[h] {
			continue
		}
		if err := remove(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("trust records: %w", err)
		}
	}
	return nil
}
