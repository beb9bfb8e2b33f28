package record

import (
	"fmt"
	"strings"
)

// Rename gives a container a new name no other container has, as docker
// rename does (running or not).
func (r *Records) Rename(what, newName string) error {
	newName = strings.TrimPrefix(newName, "/")
	if !validName().MatchString(newName) {
		return fmt.Errorf("invalid container name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", newName)
	}
	c, err := r.Find(what)
	if err != nil {
		return err
	}
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if c.ShortName() == newName {
		return fmt.Errorf("%w: renaming a container with the same name as its current name", ErrConflict)
	}
	all, err := r.List()
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ShortName() == newName {
			return fmt.Errorf("%w: the container name %q is already in use by container %s", ErrConflict, "/"+newName, o.ID)
		}
	}
	// Read again under the lock: the record may have changed since Find.
	if c, err = r.Load(c.ID); err != nil {
		return err
	}
	c.Name = "/" + newName
	return r.Save(c)
}
