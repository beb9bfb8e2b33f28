// Package netns makes persistent network namespaces bound at a path, and
// runs code inside them. It is a kernel mechanism with no policy.
package netns

import "errors"

// Create makes a new network namespace kept alive by a bind mount at path,
// with lo up inside.
func Create(path string) error { return errors.ErrUnsupported }

// Remove unmounts and unlinks path; nil when it is already gone.
func Remove(path string) error { return errors.ErrUnsupported }

// Do runs fn on a locked OS thread inside the namespace at path.
func Do(path string, fn func() error) error { return errors.ErrUnsupported }
