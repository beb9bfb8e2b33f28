// Package container is one container's lifecycle as the runc command line
// sees it: create, start, state, kill, delete, list. Each container is a
// directory under the runtime's root holding state.json and, between
// create and start, the exec fifo that its init waits on.
//
// A container's status is derived, never stored: its init process is
// alive (same PID and start time as recorded) or not; alive with the fifo
// still present is "created", alive without it is "running".
package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/linux/cgroup"
)

// Status is a container's place in the OCI lifecycle.
type Status string

const (
	Creating Status = "creating"
	Created  Status = "created"
	Running  Status = "running"
	Paused   Status = "paused"
	Stopped  Status = "stopped"
)

// CanStart reports whether start may release the container's init.
func (s Status) CanStart() bool { return s == Created }

// CanKill reports whether the container has a process to signal.
func (s Status) CanKill() bool { return s == Created || s == Running || s == Paused }

// Warn reports what the runtime-spec says must not stop the lifecycle,
// such as a failed poststart or poststop hook. The CLI points it at its log.
var Warn = func(msg string) { fmt.Fprintln(os.Stderr, "ward-runtime: warning: "+msg) }

// Errors whose wording containerd's shim matches on, as runc's.
var (
	ErrNotExist   = errors.New("container does not exist")
	ErrNotRunning = errors.New("container not running")
	ErrExist      = errors.New("container with given ID already exists")
)

const (
	stateFile = "state.json"
	fifoName  = "exec.fifo"
)

// State is what state.json records about a container.
type State struct {
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	PidStart    uint64            `json:"pidStart"` // /proc/PID/stat start time, to tell PID reuse apart
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Owner       string            `json:"owner"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// HasPidNS is true when the container has a pid namespace of its own,
	// so killing its init ends every process in it.
	HasPidNS bool `json:"hasPidNS"`
	// Cgroup is the container's cgroup directory in each hierarchy.
	Cgroup map[string]string `json:"cgroup,omitempty"`
	// Poststart and Poststop are the hooks that later commands run.
	Poststart []specs.Hook `json:"poststart,omitempty"`
	Poststop  []specs.Hook `json:"poststop,omitempty"`

	dir string
}

var validID = regexp.MustCompile(`^[\w+\-.]+$`)

// CheckID refuses IDs that could escape the root directory or confuse a
// path; runc's rule.
func CheckID(id string) error {
	if !validID.MatchString(id) || id == "." || id == ".." {
		return fmt.Errorf("invalid container id %q", id)
	}
	return nil
}

// Load reads a container's state from root.
func Load(root, id string) (*State, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(root, id)
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrNotExist
		}
		return nil, fmt.Errorf("read state of %s: %w", id, err)
	}
	st := &State{dir: dir}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("parse state of %s: %w", id, err)
	}
	return st, nil
}

// save writes state.json atomically, so a crash never leaves half a file.
func (st *State) save() error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(st.dir, stateFile), data, 0o600)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Status derives the container's status from its init process.
func (st *State) Status() Status {
	if !processAlive(st.Pid, st.PidStart) {
		return Stopped
	}
	if _, err := os.Lstat(filepath.Join(st.dir, fifoName)); err == nil {
		return Created
	}
	if cg, err := st.cgroup(); err == nil {
		if frozen, err := cg.Frozen(); err == nil && frozen {
			return Paused
		}
	}
	return Running
}

// cgroup returns the manager of the container's cgroup.
func (st *State) cgroup() (*cgroup.Manager, error) {
	if len(st.Cgroup) == 0 {
		return nil, fmt.Errorf("container %s has no cgroup", st.ID)
	}
	return cgroup.Load(st.Cgroup)
}

// OCIState is the state document of the runtime-spec, with runc's extras.
type OCIState struct {
	specs.State
	Rootfs  string    `json:"rootfs"`
	Created time.Time `json:"created"`
	Owner   string    `json:"owner"`
}

// hookState is the state document a hook is given.
func (st *State) hookState(status Status) specs.State {
	return specs.State{Version: specs.Version, ID: st.ID, Status: specs.ContainerState(status),
		Pid: st.Pid, Bundle: st.Bundle, Annotations: st.Annotations}
}

// OCI returns the container's state as `state` prints it.
func (st *State) OCI() OCIState {
	status := st.Status()
	pid := st.Pid
	if status == Stopped {
		pid = 0
	}
	return OCIState{
		State: specs.State{
			Version: specs.Version, ID: st.ID, Status: specs.ContainerState(status),
			Pid: pid, Bundle: st.Bundle, Annotations: st.Annotations,
		},
		Rootfs: st.Rootfs, Created: st.Created, Owner: st.Owner,
	}
}

// processAlive reports whether pid is a live (not zombie) process that
// started at start.
func processAlive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	state, started, err := procStat(pid)
	if err != nil {
		return false
	}
	return state != 'Z' && state != 'X' && started == start
}

// procStat returns a process's state letter and start time from
// /proc/PID/stat.
func procStat(pid int) (byte, uint64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	// The command name may hold spaces and parentheses: skip past the last ')'.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return 0, 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	fields := strings.Fields(s[i+2:])
	// fields[0] is field 3 (state); start time is field 22.
	if len(fields) < 20 {
		return 0, 0, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	start, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return 0, 0, err
	}
	return fields[0][0], start, nil
}

// List returns the state of every container under root.
func List(root string) ([]*State, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []*State
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		st, err := Load(root, e.Name())
		if err != nil {
			continue // a container being created has no state yet
		}
		out = append(out, st)
	}
	return out, nil
}
