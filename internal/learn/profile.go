package learn

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/moby/sys/capability"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/linux/seccomp"
)

// runtimeFloor are system calls the profile always allows: what a Go
// runtime (ward-runtime's init) may call on the thread that loaded the
// filter before the exec, at moments no run is sure to see (a
// preemption signal, a page returned, a lock contended), and the exec
// itself. The calls ward-runtime's init makes in order after loading
// the filter (setresuid, capset, chdir...) are observed, not listed: the
// observer arms on the seccomp(2) call.
var runtimeFloor = []string{
	"execve", "exit", "exit_group", "futex", "getpid", "gettid", "madvise", "mmap", "munmap",
	"nanosleep", "rt_sigprocmask", "rt_sigreturn", "sched_yield", "tgkill",
}

// Profile turns an observed run into a profile, before minimization:
// every capability the kernel granted, every system call entered (plus
// runtimeFloor), the directories written in, the network endpoints its
// sockets used (see networkSection).
func Profile(r *Result, exercise string) (*learnprofile.Profile, error) {
	if !r.Armed {
		return nil, fmt.Errorf("the observer never saw the workload's exec: nothing was observed")
	}
	names := slices.Clone(runtimeFloor)
	for _, nr := range r.Syscalls {
		name, ok := seccomp.SyscallNameX86_64(nr)
		if !ok {
			return nil, fmt.Errorf("observed x86_64 system call %d, which has no name in ward's table", nr)
		}
		names = append(names, name)
	}
	sec, err := json.Marshal(learnprofile.AllowList(names))
	if err != nil {
		return nil, err
	}
	caps := capNames(r.Granted)
	p := &learnprofile.Profile{
		Version:              learnprofile.Version,
		Image:                r.ImageID,
		Capabilities:         caps,
		ObservedCapabilities: slices.Clone(caps),
		ReadOnlyRoot:         true,
		WritablePaths:        []learnprofile.WritablePath{},
		Seccomp:              sec,
		Learned:              Learned(r, exercise),
	}
	if r.Network != nil {
		if p.Network, err = networkSection(r.Network, r.Granted); err != nil {
			return nil, err
		}
	}
	p.User = fmt.Sprintf("%d:%d", r.Spec.Process.User.UID, r.Spec.Process.User.GID)
	var mounts []string
	for _, m := range r.Spec.Mounts {
		mounts = append(mounts, m.Destination)
	}
	dirs, rootWritten := writableDirs(r.Written, mounts)
	if rootWritten {
		p.ReadOnlyRoot = false
	} else {
		for _, d := range dirs {
			p.WritablePaths = append(p.WritablePaths, learnprofile.WritablePath{Path: d, Exec: executedWritten(r, d)})
		}
	}
	return p, nil
}

// Learned records the command and the kernel a profile was learned on.
func Learned(r *Result, exercise string) learnprofile.Learned {
	l := learnprofile.Learned{Command: r.Spec.Process.Args, Exercise: exercise}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		l.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	return l
}

func capNames(nrs []uint32) []string {
	var out []string
	for _, n := range nrs {
		name := capability.Cap(n).String()
		if strings.HasPrefix(name, "unknown") {
			name = fmt.Sprintf("%d", n)
		}
		out = append(out, "CAP_"+strings.ToUpper(name))
	}
	return out
}

// writableDirs reduces written paths to the directories that must be
// writable: each file's directory, without those inside another, and
// without what the spec already mounts (tmpfs, volumes, /etc/hosts...:
// a runtime creates their mount points). rootWritten is set when a file
// directly under / was written, which a tmpfs cannot serve.
func writableDirs(written, mounts []string) ([]string, bool) {
	var dirs []string
	for _, w := range written {
		if slices.ContainsFunc(mounts, func(m string) bool { return under(w, m) }) {
			continue
		}
		d := path.Dir(w)
		if d == "/" {
			return nil, true
		}
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	var out []string
	for _, d := range dirs {
		if !slices.ContainsFunc(out, func(o string) bool { return under(d, o) }) {
			out = append(out, d)
		}
	}
	return out, false
}

// Minimize drops each capability whose removal the replay survives.
// replays counts the runs made.
func Minimize(ctx context.Context, e *engine.Engine, req Request, p *learnprofile.Profile) (replays int, err error) {
	for _, c := range slices.Clone(p.Capabilities) {
		trial := *p
		trial.Capabilities = slices.DeleteFunc(slices.Clone(p.Capabilities), func(x string) bool { return x == c })
		r, err := Replay(ctx, e, req, &trial)
		replays++
		if err != nil {
			return replays, fmt.Errorf("replay without %s: %w", c, err)
		}
		if r.Passed() {
			p.Capabilities = trial.Capabilities
		}
	}
	return replays, nil
}

// Replay runs req again, unobserved, under profile p.
func Replay(ctx context.Context, e *engine.Engine, req Request, p *learnprofile.Profile) (*Result, error) {
	req.Observe = false
	req.Create.Run.Profile = p
	return Run(ctx, e, req)
}

// executedWritten tells whether the workload executed a file it wrote
// under dir: that writable path must then be mounted exec.
func executedWritten(r *Result, dir string) bool {
	for _, x := range r.Executed {
		if under(x, dir) && slices.Contains(r.Written, x) {
			return true
		}
	}
	return false
}
