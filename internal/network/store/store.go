// Package store keeps ward's networks, the containers attached to them and
// the addresses and host ports they hold, in a bbolt database under ward's
// root.
//
// Vocabulary: a Network is a bridge and its subnet (the default one is
// named "bridge"); a Sandbox is one container's network namespace with its
// published ports and its egress and ingress policy flags; an Endpoint is a
// sandbox on one network, holding one address of that network's subnet.
// An address is allocated by writing its endpoint, and released by
// deleting it, in the same transaction that checks it is free: two
// concurrent `ward run`s never get the same address, and nothing is left
// allocated after `ward rm`. Update holds the database's file lock for the
// whole transaction, so callers do their kernel work inside it and return
// an error to roll the allocation back.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Errors callers map to messages and exit codes.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid argument")
)

var (
	bucketNetworks  = []byte("networks")
	bucketSandboxes = []byte("sandboxes")
	bucketEndpoints = []byte("endpoints")
)

// Store is the network database at ROOT/network/network.db.
type Store struct{ path string }

// Open returns the store kept in dir, creating dir if needed. The
// database itself is opened per transaction, so that no ward process
// holds its lock longer than one operation.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("network store %s: %w", dir, err)
	}
	return &Store{path: filepath.Join(dir, "network.db")}, nil
}

func (s *Store) open(readOnly bool) (*bolt.DB, error) {
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: 60 * time.Second, ReadOnly: readOnly})
	if err != nil {
		return nil, fmt.Errorf("network store %s: %w", s.path, err)
	}
	return db, nil
}

// Update runs fn in a write transaction, holding the store's exclusive
// lock: fn's error rolls every change back.
func (s *Store) Update(fn func(tx *Tx) error) error {
	db, err := s.open(false)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(btx *bolt.Tx) error {
		for _, b := range [][]byte{bucketNetworks, bucketSandboxes, bucketEndpoints} {
			if _, err := btx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("network store: %w", err)
			}
		}
		return fn(&Tx{tx: btx})
	})
}

// View runs fn in a read transaction.
func (s *Store) View(fn func(tx *Tx) error) error {
	if _, err := os.Stat(s.path); os.IsNotExist(err) {
		// An empty store: create the database so readers can open it.
		if err := s.Update(func(*Tx) error { return nil }); err != nil {
			return err
		}
	}
	db, err := s.open(true)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx}) })
}

// Tx is one transaction over the store.
type Tx struct{ tx *bolt.Tx }

func (t *Tx) get(bucket []byte, key string, v any) (bool, error) {
	b := t.tx.Bucket(bucket)
	if b == nil {
		return false, nil // a store no update has written yet
	}
	data := b.Get([]byte(key))
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("network store: %s %s: %w", bucket, key, err)
	}
	return true, nil
}

func (t *Tx) put(bucket []byte, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("network store: %s %s: %w", bucket, key, err)
	}
	if err := t.tx.Bucket(bucket).Put([]byte(key), data); err != nil {
		return fmt.Errorf("network store: %s %s: %w", bucket, key, err)
	}
	return nil
}

func (t *Tx) del(bucket []byte, key string) error {
	if err := t.tx.Bucket(bucket).Delete([]byte(key)); err != nil {
		return fmt.Errorf("network store: %s %s: %w", bucket, key, err)
	}
	return nil
}

// each decodes every value of bucket whose key starts with prefix.
func each[T any](t *Tx, bucket []byte, prefix string) ([]T, error) {
	var out []T
	b := t.tx.Bucket(bucket)
	if b == nil {
		return nil, nil // a store no update has written yet
	}
	c := b.Cursor()
	for k, v := c.Seek([]byte(prefix)); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == prefix; k, v = c.Next() {
		var x T
		if err := json.Unmarshal(v, &x); err != nil {
			return nil, fmt.Errorf("network store: %s %s: %w", bucket, k, err)
		}
		out = append(out, x)
	}
	return out, nil
}
