package container

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/linux/cgroup"
)

// ErrNotPaused is resume's error for a container that is not paused.
var ErrNotPaused = errors.New("container not paused")

// Pause freezes every process of a running container.
func Pause(root, id string) error {
	st, cg, err := loadWithCgroup(root, id)
	if err != nil {
		return err
	}
	if st.Status() != Running {
		return ErrNotRunning
	}
	if err := cg.Freeze(); err != nil {
		return fmt.Errorf("pause %s: %w", id, err)
	}
	return nil
}

// Resume thaws a paused container.
func Resume(root, id string) error {
	st, cg, err := loadWithCgroup(root, id)
	if err != nil {
		return err
	}
	if st.Status() != Paused {
		return ErrNotPaused
	}
	if err := cg.Thaw(); err != nil {
		return fmt.Errorf("resume %s: %w", id, err)
	}
	return nil
}

// Processes lists the host PIDs of a container's processes.
func Processes(root, id string) ([]int, error) {
	st, err := Load(root, id)
	if err != nil {
		return nil, err
	}
	if st.Status() == Stopped {
		return nil, ErrNotRunning
	}
	return st.processes(), nil
}

// Update applies new resource limits to a container's cgroup.
func Update(root, id string, r *specs.LinuxResources) error {
	st, cg, err := loadWithCgroup(root, id)
	if err != nil {
		return err
	}
	if st.Status() == Stopped {
		return ErrNotRunning
	}
	if err := cg.Update(r); err != nil {
		return fmt.Errorf("update %s: %w", id, err)
	}
	return nil
}

// Stats reads a container's resource usage.
func Stats(root, id string) (*cgroup.Stats, error) {
	st, cg, err := loadWithCgroup(root, id)
	if err != nil {
		return nil, err
	}
	if st.Status() == Stopped {
		return nil, ErrNotRunning
	}
	return cg.Stats()
}

func loadWithCgroup(root, id string) (*State, *cgroup.Manager, error) {
	st, err := Load(root, id)
	if err != nil {
		return nil, nil, err
	}
	cg, err := st.cgroup()
	if err != nil {
		return nil, nil, err
	}
	return st, cg, nil
}
