// Package learn finds the least privilege a container needs by watching
// it run (internal/linux/observe: system calls and capability checks,
// seen by the kernel; the overlay upper directory: paths written), turns
// what was seen into a learnprofile.Profile, minimizes its capabilities
// by replay and proves it by replay.
//
// A Run is one container, from the command line of `ward run`, plus an
// optional exercise: a shell command run on the host once the container
// runs, whose exit status is the pass or fail. The run ends when the
// container exits, when the exercise ends (ward then stops the
// container) or at the duration.
package learn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/linux/observe"
)

// Request is one run to observe or replay.
type Request struct {
	Create   engine.CreateRequest
	Exercise string        // run by sh -c on the host; "" for none
	Duration time.Duration // 0: no limit
	Observe  bool          // attach the observer (learning); false for a replay
	// WatchSockets attaches the socket programs alone (Result.Network): a
	// replay that may have to name a destination the profile dropped.
	WatchSockets bool
	// Refusals, with Observe, also names the paths the kernel refused
	// with EROFS or EACCES (observe.WatchRefusals), for Diagnose.
	Refusals bool
	// Stdout and Stderr receive the container's and the exercise's output.
	Stdout, Stderr *os.File
}

// Result is what one run did and, when observed, what it asked of the
// kernel.
type Result struct {
	ImageID string
	Spec    *specs.Spec // what the runtime received
	Status  int         // the container's exit status
	// Stopped is set when ward ended the container (exercise over or
	// duration reached): its status is then not the workload's verdict.
	Stopped        bool
	ExerciseRan    bool
	ExerciseStatus int
	// Armed tells whether the observer saw the workload's exec; without
	// it nothing was observed.
	Armed            bool
	Syscalls         []uint32 // x86_64 numbers, in the order first made
	Granted, Refused []uint32 // capability numbers
	Written          []string // container paths written, created or deleted
	Executed         []string // container paths executed on its root file system
	// Network is what its sockets did (with Observe or WatchSockets).
	Network *NetworkSeen

	// RefusedPaths, with Request.Refusals, are the paths the kernel
	// refused, in the order refused.
	RefusedPaths []observe.RefusedPath
}

// Passed is the run's verdict: the exercise's status when there is one,
// else the container's unless ward stopped it.
func (r *Result) Passed() bool {
	if r.ExerciseRan {
		return r.ExerciseStatus == 0
	}
	return r.Stopped || r.Status == 0
}

// Verdict says in a few words why a run failed.
func (r *Result) Verdict() string {
	if r.ExerciseRan {
		return fmt.Sprintf("the exercise exited %d (container status %d)", r.ExerciseStatus, r.Status)
	}
	return fmt.Sprintf("the container exited %d", r.Status)
}

// stopGrace is how long a container has between SIGTERM and SIGKILL
// once its run is over.
const stopGrace = time.Second

// Run creates the container, observes it when asked, runs the exercise,
// and removes the container; the caller must be a child subreaper
// (engine.SetSubreaper). An error is ward's own failure.
func Run(ctx context.Context, e *engine.Engine, req Request) (_ *Result, err error) {
	req.Create.AutoRemove = false // the upper directory is read after the exit
	c, err := e.Create(req.Create)
	if err != nil {
		return nil, err
	}
	defer func() {
		if rerr := e.Remove(c); rerr != nil && err == nil {
			err = rerr
		}
	}()
	res := &Result{ImageID: c.Image}
	if res.Spec, err = readSpec(filepath.Join(e.BundleDir(c.ID), "config.json")); err != nil {
		return nil, err
	}
	var obs *observe.Observer
	var execs *observe.ExecWatch
	var sockets *observe.NetWatch
	var refusals *observe.RefusalWatch
	if req.Observe || req.WatchSockets {
		if res.Spec.Linux == nil || res.Spec.Linux.CgroupsPath == "" {
			return nil, fmt.Errorf("container %s: the spec names no cgroup to observe", c.ID)
		}
		dir, id, removeCgroup, err := observe.PrepareCgroup(res.Spec.Linux.CgroupsPath)
		if err != nil {
			return nil, err
		}
		defer removeCgroup()
		// Deferred after the cgroup's removal is: detached before it.
		if sockets, err = observe.WatchNetwork(dir); err != nil {
			return nil, err
		}
		defer sockets.Close()
		if req.Observe {
			if obs, err = observe.Attach(id); err != nil {
				return nil, err
			}
			defer obs.Close()
		}
		if req.Observe && req.Refusals {
			if refusals, err = observe.WatchRefusals(id); err != nil {
				return nil, err
			}
			defer refusals.Close()
		}
	}
	if req.Observe {
		root := res.Spec.Root.Path
		if !filepath.IsAbs(root) {
			root = filepath.Join(e.BundleDir(c.ID), root)
		}
		if execs, err = observe.WatchExecs(root); err != nil {
			return nil, err
		}
		defer func() {
			if execs != nil {
				execs.Close()
			}
		}()
	}

	type exit struct {
		status int
		err    error
	}
	started, done := make(chan int, 1), make(chan exit, 1)
	go func() {
		st, err := e.Supervise(ctx, c.ID, engine.Stdio{Stdout: req.Stdout, Stderr: req.Stderr}, func(pid int) { started <- pid })
		done <- exit{st, err}
	}()
	var pid int
	select {
	case pid = <-started:
	case x := <-done:
		if x.err != nil {
			return nil, x.err
		}
		res.Status = x.status
		return res, nil
	}

	var deadline <-chan time.Time
	if req.Duration > 0 {
		t := time.NewTimer(req.Duration)
		defer t.Stop()
		deadline = t.C
	}
	var exercised chan int
	var exercise *exec.Cmd
	if req.Exercise != "" && obs != nil {
		// The container has started, not yet exec'd its program: an
		// exercise that ends at once would stop it before the observer
		// saw anything.
		waitArmed(obs, pid)
	}
	if req.Exercise != "" {
		exercise = exec.Command("sh", "-c", req.Exercise)
		exercise.Env = append(os.Environ(), "WARD_CONTAINER_ID="+c.ID, "WARD_CONTAINER_IP="+containerIP(e, c.ID, req.Create.Run.Network))
		exercise.Stdout, exercise.Stderr = req.Stdout, req.Stderr
		exercise.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := exercise.Start(); err != nil {
			stop(pid, done)
			return nil, fmt.Errorf("exercise: %w", err)
		}
		res.ExerciseRan = true
		exercised = make(chan int, 1)
		go func() { exercised <- exitStatus(exercise.Wait()) }()
	}

	var x exit
	containerDone := false
	for !containerDone || exercised != nil {
		select {
		case x = <-done:
			containerDone, done = true, nil
		case st := <-exercised:
			res.ExerciseStatus, exercised = st, nil
			if !containerDone {
				res.Stopped = true
				x, containerDone = stop(pid, done), true
				done = nil
			}
		case <-deadline:
			deadline = nil
			if exercise != nil && exercised != nil {
				unix.Kill(-exercise.Process.Pid, unix.SIGKILL)
			}
			if !containerDone {
				res.Stopped = true
				x, containerDone = stop(pid, done), true
				done = nil
			}
		}
	}
	if x.err != nil {
		return nil, x.err
	}
	res.Status = x.status
	if sockets != nil {
		if res.Network, err = seeNetwork(sockets, res.Spec); err != nil {
			return nil, err
		}
	}
	if obs != nil {
		if res.Armed, err = obs.Armed(); err != nil {
			return nil, err
		}
		if res.Syscalls, err = obs.SyscallsInOrder(); err != nil {
			return nil, err
		}
		if res.Granted, res.Refused, err = obs.Capabilities(); err != nil {
			return nil, err
		}
		if res.Written, err = written(e.Snapshots.UpperDir(c.ID)); err != nil {
			return nil, err
		}
		if refusals != nil {
			if res.RefusedPaths, err = refusals.Paths(); err != nil {
				return nil, err
			}
		}
		res.Executed, err = execs.Close()
		execs = nil
		if err != nil {
			return nil, fmt.Errorf("container %s: executed files: %w", c.ID, err)
		}
	}
	return res, nil
}

// stop ends a container ward no longer needs: SIGTERM, then SIGKILL
// after stopGrace (a PID namespace's init ignores SIGTERM without a
// handler), and waits for its supervisor.
func stop[T any](pid int, done <-chan T) T {
	unix.Kill(pid, unix.SIGTERM)
	select {
	case x := <-done:
		return x
	case <-time.After(stopGrace):
	}
	unix.Kill(pid, unix.SIGKILL)
	return <-done
}

func exitStatus(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return 127
}

// containerIP is the address an exercise reaches the container at: its
// bridge address, or loopback when it shares the host's network.
func containerIP(e *engine.Engine, id, network string) string {
	if network == "host" {
		return "127.0.0.1"
	}
	c, err := e.Records.Load(id)
	if err != nil || c.NetworkSettings == nil {
		return ""
	}
	return c.NetworkSettings.IPAddress
}

func readSpec(file string) (*specs.Spec, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("read spec %s: %w", file, err)
	}
	return &s, nil
}

// written lists, as container paths, what the upper directory holds:
// files written or created, whiteouts of deleted ones, and empty
// directories (made, or changed in owner or mode).
func written(upper string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(upper, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// A directory with entries is only the path to them. An empty
			// one the image had (overlayfs marks a copied-up directory
			// with its origin) had files made and removed in it, or its
			// owner or mode changed: the directory itself is written,
			// listed as DIR/. so that its "parent" is DIR. An empty one
			// without an origin was made: a write to its parent.
			if p == upper {
				return nil
			}
			if entries, err := os.ReadDir(p); err != nil || len(entries) > 0 {
				return err
			}
			if _, err := unix.Lgetxattr(p, "trusted.overlay.origin", nil); err == nil {
				p += "/."
			}
		}
		rel, err := filepath.Rel(upper, p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, "/.") {
			rel += "/."
		}
		out = append(out, "/"+filepath.ToSlash(rel))
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read written paths: %w", err)
	}
	return out, nil
}

// under tells whether p is dir or inside it.
func under(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// armWait bounds how long an exercise waits for the workload's exec.
const armWait = 10 * time.Second

// waitArmed returns once the observer has seen the workload's exec, the
// container's init is gone, or armWait has passed (the run then reports
// that nothing was observed).
func waitArmed(obs *observe.Observer, pid int) {
	deadline := time.Now().Add(armWait)
	for time.Now().Before(deadline) {
		if armed, err := obs.Armed(); err != nil || armed {
			return
		}
		if unix.Kill(pid, 0) == unix.ESRCH {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
