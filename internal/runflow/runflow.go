// Package runflow is the order of steps of `ward run` and `ward create`,
// from a command line to a container created, then run in the
// foreground or handed to a monitor:
//
//	flags -> request (runrequest) -> image present (pullpolicy)
//	      -> signature trust (trust/enforce) -> --policy (runpolicy)
//	      -> runtime (engineconfig) -> engine.Create
//	      -> detach.StartMonitor (-d) or foreground.Supervise
//
// Every refusal comes before anything is created, and every failure of
// ward's own exits 125, as docker's; a container's own status is ward
// run's.
package runflow

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/wardproject/ward/internal/detach"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/foreground"
	"github.com/wardproject/ward/internal/ociruntime"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/pullpolicy"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/runrequest"
	"github.com/wardproject/ward/internal/trust/enforce"
)

// Command is one command line of ward run or ward create.
type Command struct {
	Flags   *runrequest.Flags
	Args    []string               // IMAGE [COMMAND [ARG...]]
	Changed func(flag string) bool // whether a flag was given
	// Stdout gets the ID of a detached container and --dry-run's report;
	// Stderr the pull's progress and the policy's refusal. A foreground
	// container has ward's own stdio.
	Stdout, Stderr io.Writer
}

// Admit brings the image in as --pull says and checks it against the
// trust policy: what every command that runs a container of it (run,
// create, learn) does before the checklist judges the container.
func Admit(ctx context.Context, l rootdir.Layout, f *runrequest.Flags, image string, stderr io.Writer) error {
	if err := pullpolicy.Ensure(ctx, l, f.Pull, image, stderr); err != nil {
		return err
	}
	return enforce.Enforce(l, image, f.Policy.Name())
}

// Create turns the command line into a container record, bundle and
// rootfs under l, and returns the engine that created it.
func Create(ctx context.Context, l rootdir.Layout, c Command) (*engine.Engine, *record.Container, error) {
	fail := func(err error) (*engine.Engine, *record.Container, error) {
		return nil, nil, &exitstatus.Error{Code: 125, Err: err}
	}
	f := c.Flags
	req, err := f.Request(c.Args, c.Changed)
	if err != nil {
		return fail(err)
	}
	if err := Admit(ctx, l, f, req.Image, c.Stderr); err != nil {
		return fail(err)
	}
	if err := f.Policy.Enforce(l, req, c.Stderr); err != nil {
		return fail(err)
	}
	rt, err := engineconfig.Runtime(f.Runtime)
	if err != nil {
		return fail(err)
	}
	e, err := open.Engine(l, rt)
	if err != nil {
		return fail(err)
	}
	ctr, err := e.Create(req)
	if err != nil {
		return fail(err)
	}
	return e, ctr, nil
}

// Run is ward run: --dry-run's report, or the container created, then
// handed to a monitor (-d, its ID printed) or run in the foreground.
// The error of a foreground container that exited non-zero carries its
// status and no message, as does a runtime's failure, whose message the
// runtime already wrote on ward's stderr.
func Run(ctx context.Context, l rootdir.Layout, c Command) error {
	f := c.Flags
	if f.Policy.DryRun {
		return DryRun(l, c)
	}
	e, ctr, err := Create(ctx, l, c)
	if err != nil {
		return err
	}
	if f.Detach {
		if err := detach.StartMonitor(l, ctr, e.RuntimePath); err != nil {
			if ctr.HostConfig.AutoRemove {
				e.Remove(ctr)
			}
			return err
		}
		fmt.Fprintln(c.Stdout, ctr.ID)
		return nil
	}
	status, err := foreground.Supervise(e, ctr, f.Options.Interactive)
	var rerr *ociruntime.Error
	var ee *exitstatus.Error
	if errors.As(err, &rerr) && errors.As(err, &ee) {
		// The runtime wrote its message to its stderr, which is ward's:
		// print it once.
		return exitstatus.Silent(ee.Code)
	}
	if err != nil {
		return err
	}
	detach.RestartAfterForeground(l, e, ctr, status) // --restart
	if status != 0 {
		return exitstatus.Silent(status) // the container's own status, without a message
	}
	return nil
}

// DryRun prints what ward check reports for the command line (every
// rule, or the --policy's), and exits 125 when the policy in force would
// refuse it, as ward run would. Nothing is created.
func DryRun(l rootdir.Layout, c Command) error {
	fail := func(err error) error { return &exitstatus.Error{Code: 125, Err: err} }
	p := &c.Flags.Policy
	name, gate, err := p.Resolve()
	if err != nil {
		return fail(err)
	}
	req, err := c.Flags.Request(c.Args, c.Changed)
	if err != nil {
		return fail(err)
	}
	return p.PrintDryRun(l, req, name, gate, c.Stdout, c.Stderr)
}
