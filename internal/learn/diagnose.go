package learn

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/linux/observe"
	"github.com/wardproject/ward/internal/linux/seccomp"
)

// Denials is what a profile refused a workload, seen by running it once
// more under the profile in log mode with the observer attached.
type Denials struct {
	// Syscalls are the system calls outside the profile, in the order
	// the workload first made them: the first is the one that failed it
	// when a refused call did.
	Syscalls []string
	// Capabilities are those the kernel checked and refused: the ones
	// outside the profile, though a refused check is not always a
	// failure (kernels check some on paths that change nothing).
	Capabilities []string
	// Paths are those the kernel refused with EROFS (the read-only root)
	// or EACCES (a noexec tmpfs, permissions), in the order refused.
	Paths []observe.RefusedPath
	// Observed is false when the observer never saw the workload's exec:
	// then nothing is known.
	Observed bool
}

// Diagnose replays req under p with the system calls outside the
// profile let through (learnprofile.ModeLog: SCMP_ACT_LOG), observed as
// in learning, and returns what the profile would have refused. The
// kernel's system-call tracepoint fires after seccomp, so a call the
// filter refuses is never seen: log mode is what makes it visible. The
// workload may get further than under the profile, so only the first
// call is sure to be the one that failed the replay.
func Diagnose(ctx context.Context, e *engine.Engine, req Request, p *learnprofile.Profile) (*Denials, error) {
	req.Observe, req.Refusals = true, true
	req.Create.Run.Profile = p
	req.Create.Run.ProfileMode = learnprofile.ModeLog
	r, err := Run(ctx, e, req)
	if err != nil {
		return nil, err
	}
	allowed, err := p.AllowedSyscalls()
	if err != nil {
		return nil, err
	}
	d := &Denials{Observed: r.Armed, Capabilities: capNames(r.Refused), Paths: r.RefusedPaths}
	for _, nr := range r.Syscalls {
		name, ok := seccomp.SyscallNameX86_64(nr)
		if !ok {
			name = fmt.Sprintf("%d", nr)
		}
		if !slices.Contains(allowed, name) {
			d.Syscalls = append(d.Syscalls, name)
		}
	}
	return d, nil
}

// String names the first denied system call, the first refused path,
// then the refused capabilities, in one line.
func (d *Denials) String() string {
	if !d.Observed {
		return "the diagnosis replay observed nothing (the workload's exec was not seen)"
	}
	var parts []string
	if len(d.Syscalls) > 0 {
		s := "first system call outside the profile: " + d.Syscalls[0]
		if len(d.Syscalls) > 1 {
			s += fmt.Sprintf(" (then %s)", strings.Join(d.Syscalls[1:], ", "))
		}
		parts = append(parts, s)
	}
	if len(d.Paths) > 0 {
		s := "first path refused: " + d.Paths[0].String()
		if n := len(d.Paths) - 1; n > 0 {
			var then []string
			for _, p := range d.Paths[1:min(len(d.Paths), 4)] {
				then = append(then, p.Path)
			}
			if n > 3 {
				then = append(then, fmt.Sprintf("%d more", n-3))
			}
			s += " (then " + strings.Join(then, ", ") + ")"
		}
		parts = append(parts, s)
	}
	if len(d.Capabilities) > 0 {
		parts = append(parts, "capabilities checked and refused: "+strings.Join(d.Capabilities, ", "))
	}
	if len(parts) == 0 {
		return "no system call outside the profile, no path refused and no capability refused was seen"
	}
	return strings.Join(parts, "; ")
}
