// Package ociruntime drives any runc-compatible runtime binary (runc,
// crun, ward-runtime) through its command line, the way containerd's runc
// shim does.
//
// A container's lifecycle through a Runtime: Create sets it up from a
// bundle and leaves its init waiting (status "created"); Start releases
// it ("running"); Exec runs more processes inside; Kill signals it; once
// it has exited ("stopped"), Delete removes what the runtime keeps for it
// under Root. State, Ps, Pause, Resume and Update inspect and adjust it on
// the way.
//
// Every call passes the global flags --root ROOT --log LOG/ID/log.json
// --log-format json. A runtime reports a failure as JSON lines in that
// log; the error returned carries the msg of the last error line the call
// wrote, as the shim reports it, and matches ErrNotFound, ErrNotRunning or
// ErrExists with errors.Is when the runtime's wording says so.
package ociruntime

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/exitstatus"
)

// Runtime is one runtime binary with its state directory.
type Runtime struct {
	Path string // the runtime binary
	Root string // its --root: where it keeps container state
	// Log is the directory holding each container's log, LOG/ID/log.json;
	// empty means ROOT.log beside Root (inside Root, runc would refuse to
	// create a container whose directory already exists).
	Log string
}

// Error classes, matched with errors.Is against what Runtime's methods
// return.
var (
	ErrNotFound   = errors.New("container does not exist")
	ErrNotRunning = errors.New("container not running")
	ErrExists     = errors.New("container already exists")
)

// Error is a failed runtime invocation.
type Error struct {
	Op  string // the runtime verb: create, start, kill...
	ID  string
	Msg string // the runtime's own message (its last error log line)
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s container %s: %s", e.Op, e.ID, e.Msg)
}

// Is maps the runtime's wording to the error classes, as the shim does:
// "does not exist" means the container is missing (except on create,
// where it names a missing part of the bundle), "not running" that it has
// stopped, "already exists" (runc) or "id exists" that the ID is taken.
func (e *Error) Is(target error) bool {
	m := strings.ToLower(e.Msg)
	switch target {
	case ErrNotFound:
		return e.Op != "create" && strings.Contains(m, "does not exist")
	case ErrNotRunning:
		return strings.Contains(m, "not running")
	case ErrExists:
		return strings.Contains(m, "already exists") || strings.Contains(m, "id exists")
	}
	return false
}

// Stdio are the files a container's process gets when it has no
// terminal. They must be files (pipes, /dev/null, a log file), not Go
// writers: the process keeps them after the runtime exits. Nil ones are
// /dev/null.
type Stdio struct {
	Stdin, Stdout, Stderr *os.File
}

// CreateOpts are create's options.
type CreateOpts struct {
	PidFile       string // where the runtime writes the init's host pid
	ConsoleSocket string // a unix socket receiving the terminal's master, for process.terminal
	Stdio         Stdio
}

// ExecOpts are exec's options.
type ExecOpts struct {
	Detach        bool   // return once the process runs, instead of waiting for it
	PidFile       string // where the runtime writes the process's host pid
	ConsoleSocket string // for a process with terminal set
	Stdio         Stdio
}

// State is what `state` prints: the OCI state plus runc's extras.
type State struct {
	specs.State
	Rootfs  string    `json:"rootfs"`
	Created time.Time `json:"created"`
	Owner   string    `json:"owner"`
}

// LogPath is the log file the runtime writes for container id.
func (r *Runtime) LogPath(id string) string {
	dir := r.Log
	if dir == "" {
		dir = filepath.Clean(r.Root) + ".log"
	}
	return filepath.Join(dir, id, "log.json")
}

// Create sets up container id from the bundle directory, leaving its init
// waiting for Start.
func (r *Runtime) Create(ctx context.Context, id, bundle string, opts CreateOpts) error {
	args := []string{"create", "--bundle", bundle}
	if opts.PidFile != "" {
		args = append(args, "--pid-file", opts.PidFile)
	}
	if opts.ConsoleSocket != "" {
		args = append(args, "--console-socket", opts.ConsoleSocket)
	}
	_, err := r.run(ctx, "create", id, append(args, id), nil, &opts.Stdio)
	return err
}

// Start runs the user's process in a created container.
func (r *Runtime) Start(ctx context.Context, id string) error {
	_, err := r.run(ctx, "start", id, []string{"start", id}, nil, nil)
	return err
}

// State reports the container's status and init pid.
func (r *Runtime) State(ctx context.Context, id string) (*State, error) {
	out, err := r.run(ctx, "state", id, []string{"state", id}, nil, nil)
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, fmt.Errorf("state container %s: parse %s's output: %w", id, r.Path, err)
	}
	return &s, nil
}

// Kill sends sig to the container's init, or with all to every process
// in it.
func (r *Runtime) Kill(ctx context.Context, id string, sig syscall.Signal, all bool) error {
	args := []string{"kill"}
	if all {
		args = append(args, "--all")
	}
	_, err := r.run(ctx, "kill", id, append(args, id, strconv.Itoa(int(sig))), nil, nil)
	return err
}

// Delete removes a stopped container; force kills a running one first.
func (r *Runtime) Delete(ctx context.Context, id string, force bool) error {
	args := []string{"delete"}
	if force {
		args = append(args, "--force")
	}
	_, err := r.run(ctx, "delete", id, append(args, id), nil, nil)
	return err
}

// Exec runs process p in the running container. Without Detach it waits
// and returns an *exitstatus.Error when the process fails.
func (r *Runtime) Exec(ctx context.Context, id string, p specs.Process, opts ExecOpts) error {
	f, err := os.CreateTemp("", "ward-process-*.json")
	if err != nil {
		return fmt.Errorf("exec in container %s: %w", id, err)
	}
	defer os.Remove(f.Name())
	if err := json.NewEncoder(f).Encode(p); err != nil {
		f.Close()
		return fmt.Errorf("exec in container %s: write process spec: %w", id, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("exec in container %s: write process spec: %w", id, err)
	}
	args := []string{"exec", "--process", f.Name()}
	if opts.Detach {
		args = append(args, "--detach")
	}
	if opts.PidFile != "" {
		args = append(args, "--pid-file", opts.PidFile)
	}
	if opts.ConsoleSocket != "" {
		args = append(args, "--console-socket", opts.ConsoleSocket)
	}
	_, err = r.run(ctx, "exec", id, append(args, id), nil, &opts.Stdio)
	return err
}

// Ps lists the host pids of the container's processes.
func (r *Runtime) Ps(ctx context.Context, id string) ([]int, error) {
	out, err := r.run(ctx, "ps", id, []string{"ps", "--format", "json", id}, nil, nil)
	if err != nil {
		return nil, err
	}
	var pids []int
	if err := json.Unmarshal(out, &pids); err != nil {
		return nil, fmt.Errorf("ps container %s: parse %s's output: %w", id, r.Path, err)
	}
	return pids, nil
}

// Pause freezes every process of the container.
func (r *Runtime) Pause(ctx context.Context, id string) error {
	_, err := r.run(ctx, "pause", id, []string{"pause", id}, nil, nil)
	return err
}

// Resume thaws a paused container.
func (r *Runtime) Resume(ctx context.Context, id string) error {
	_, err := r.run(ctx, "resume", id, []string{"resume", id}, nil, nil)
	return err
}

// Update changes the container's cgroup limits.
func (r *Runtime) Update(ctx context.Context, id string, res *specs.LinuxResources) error {
	data, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("update container %s: %w", id, err)
	}
	_, err = r.run(ctx, "update", id, []string{"update", "--resources", "-", id}, data, nil)
	return err
}

// run invokes the runtime with the global flags. With stdio (create,
// exec) the runtime's own stdio are those files, which the container's
// process may keep; otherwise its output is collected and returned.
func (r *Runtime) run(ctx context.Context, op, id string, args []string, stdin []byte, stdio *Stdio) ([]byte, error) {
	logPath := r.LogPath(id)
	if err := os.MkdirAll(filepath.Dir(logPath), 0o700); err != nil {
		return nil, fmt.Errorf("%s container %s: %w", op, id, err)
	}
	// Only lines this call writes count: the log outlives calls.
	var offset int64
	if st, err := os.Stat(logPath); err == nil {
		offset = st.Size()
	}
	global := []string{"--root", r.Root, "--log", logPath, "--log-format", "json"}
	cmd := exec.CommandContext(ctx, r.Path, append(global, args...)...)
	var stdout, stderr bytes.Buffer
	if stdio != nil {
		// Files only: a Go writer would make Wait wait for the container.
		if stdio.Stdin != nil {
			cmd.Stdin = stdio.Stdin
		}
		if stdio.Stdout != nil {
			cmd.Stdout = stdio.Stdout
		}
		if stdio.Stderr != nil {
			cmd.Stderr = stdio.Stderr
		}
	} else {
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if stdin != nil {
			cmd.Stdin = bytes.NewReader(stdin)
		}
	}
	runErr := cmd.Run()
	if runErr == nil {
		return stdout.Bytes(), nil
	}
	if msg := lastError(logPath, offset); msg != "" {
		return nil, &Error{Op: op, ID: id, Msg: msg}
	}
	var exit *exec.ExitError
	if errors.As(runErr, &exit) {
		if op == "exec" && stdio != nil {
			// Without a log line, the runtime passed on the process's status.
			return nil, exitstatus.New(exit.ExitCode(), fmt.Errorf("process exited with status %d", exit.ExitCode()))
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, &Error{Op: op, ID: id, Msg: lastLine(msg)}
		}
	}
	return nil, fmt.Errorf("%s container %s: run %s: %w", op, id, r.Path, runErr)
}

// lastError returns the msg of the last error-level JSON line written to
// the log after offset, as containerd's shim reads it.
func lastError(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	var msg string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		var line struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Level == "error" && line.Msg != "" {
			msg = strings.TrimSpace(line.Msg)
		}
	}
	return msg
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
