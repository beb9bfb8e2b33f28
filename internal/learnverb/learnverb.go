// Package learnverb is what `ward learn` does once its command line is
// parsed: learn a profile (-o), replay one (--verify) or print one in
// another form (--convert). The observing, minimizing and replaying are
// internal/learn's; this package orders them, chooses the exit status
// (1 when the workload or its exercise failed, 125 when ward did) and
// words what the user reads.
package learnverb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/learn"
	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/runflow"
	"github.com/wardproject/ward/internal/runrequest"
)

// Options are `ward learn`'s own flags; the rest are `ward run`'s.
type Options struct {
	Output, Verify, Exercise string
	Convert                  string
	Duration                 time.Duration
}

// fail is ward's own failure: exit 125, as `ward run`'s.
func fail(err error) error { return &exitstatus.Error{Code: 125, Err: err} }

// Run learns a profile (o.Output) or replays one (o.Verify) for the
// container that run's flags f and args describe; changed tells which
// of run's flags the command line gave.
func Run(l rootdir.Layout, f *runrequest.Flags, changed func(string) bool, o Options, args []string, stderr io.Writer) error {
	switch {
	case len(args) == 0:
		return fail(errors.New("learn: name an image"))
	case (o.Output == "") == (o.Verify == ""):
		return fail(errors.New("learn: give -o PROFILE to learn or --verify PROFILE to replay"))
	case f.Detach:
		return fail(errors.New("learn: -d is not supported: ward learn watches the container to its end"))
	case f.Profile != "":
		return fail(errors.New("learn: --profile is not supported; --verify replays a profile"))
	case f.Policy.DryRun:
		return fail(errors.New("learn: --dry-run is not supported"))
	}
	req, err := f.Request(args, changed)
	if err != nil {
		return fail(err)
	}
	// The image is pulled and judged by the trust policy as for ward run:
	// learning runs the container too.
	if err := runflow.Admit(context.Background(), l, f, req.Image, stderr); err != nil {
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
	if err := engine.SetSubreaper(); err != nil {
		return fail(err)
	}
	lreq := learn.Request{Create: req, Exercise: o.Exercise, Duration: o.Duration, Stdout: os.Stdout, Stderr: os.Stderr}
	if o.Verify != "" {
		return verify(l, e, f, lreq, o.Verify, stderr)
	}
	if err := f.Policy.Enforce(l, req, stderr); err != nil {
		return fail(err)
	}
	return learnProfile(e, lreq, o, stderr)
}

// verify replays the command line under the profile at path; a fail
// names what the profile refused.
func verify(l rootdir.Layout, e *engine.Engine, f *runrequest.Flags, lreq learn.Request, path string, stderr io.Writer) error {
	ctx := context.Background()
	p, err := learnprofile.Read(path)
	if err != nil {
		return fail(err)
	}
	if err := f.Policy.Enforce(l, runrequest.WithProfile(lreq.Create, p), stderr); err != nil {
		return fail(err)
	}
	lreq.WatchSockets = true // to name a destination the egress dropped
	r, err := learn.Replay(ctx, e, lreq, p)
	if err != nil {
		return fail(err)
	}
	if !r.Passed() {
		why := "not diagnosed: "
		if d, err := learn.Diagnose(ctx, e, lreq, p); err != nil {
			why += err.Error()
		} else {
			why = d.String()
		}
		if dropped := learn.Dropped(r, lreq, p); len(dropped) > 0 {
			why += "; the profile's egress dropped " + strings.Join(dropped, ", ")
		}
		return &exitstatus.Error{Code: 1, Err: fmt.Errorf("learn --verify %s: replay failed: %s; %s", path, r.Verdict(), why)}
	}
	fmt.Fprintf(stderr, "ward learn: replay under %s passed\n", path)
	return nil
}

// learnProfile runs the workload observed, turns what it did into a
// profile, minimizes the profile by replay and writes it once a last
// replay under it passes.
func learnProfile(e *engine.Engine, lreq learn.Request, o Options, stderr io.Writer) error {
	ctx := context.Background()
	lreq.Observe = true
	start := time.Now()
	r, err := learn.Run(ctx, e, lreq)
	if err != nil {
		return fail(err)
	}
	// A replay missing what the workload needs may hang rather than fail
	// (a server whose workers died, a client waiting on it): without
	// --duration, each replay is stopped, and fails, after 3 times the
	// learning run's time, 30 s at least.
	if lreq.Duration == 0 {
		lreq.Duration = max(3*time.Since(start), 30*time.Second)
	}
	if !r.Passed() {
		return &exitstatus.Error{Code: 1, Err: fmt.Errorf("learn: the workload failed (%s); no profile written", r.Verdict())}
	}
	p, err := learn.Profile(r, o.Exercise)
	if err != nil {
		return fail(fmt.Errorf("learn: %w", err))
	}
	replays, err := learn.Minimize(ctx, e, lreq, p)
	if err != nil {
		return fail(fmt.Errorf("learn: minimize capabilities: %w", err))
	}
	if tried, err := learn.DropRoot(ctx, e, lreq, p); err != nil {
		return fail(fmt.Errorf("learn: %w", err))
	} else if tried != "" {
		replays++
	}
	final, err := learn.Replay(ctx, e, lreq, p)
	if err != nil {
		return fail(fmt.Errorf("learn: replay: %w", err))
	}
	if !final.Passed() {
		return fail(fmt.Errorf("learn: the learned profile failed its replay (%s); no profile written", final.Verdict()))
	}
	if err := p.Write(o.Output); err != nil {
		return fail(err)
	}
	calls, _ := p.AllowedSyscalls()
	var paths []string
	for _, w := range p.WritablePaths {
		paths = append(paths, w.Path)
	}
	fmt.Fprintf(stderr, "ward learn: %d system calls, capabilities [%s] (of [%s] granted), writable [%s], user %s, egress %s, listening %s; proved by the last of %d replays; profile written to %s\n",
		len(calls), strings.Join(p.Capabilities, " "), strings.Join(p.ObservedCapabilities, " "), strings.Join(paths, " "), p.User,
		learn.EgressSummary(p, lreq.Create.Run.Network), p.Listening(), replays+1, o.Output)
	return nil
}

// Convert prints the profile at path in format: the flags with its
// effect (naming its seccomp file PROFILE-seccomp.json, which format
// seccomp prints), a compose service or a Kubernetes container with its
// NetworkPolicy. network is run's --network, where --egress does not
// apply to every mode.
func Convert(out io.Writer, path, format, network string, args []string) error {
	if len(args) > 0 {
		return fail(fmt.Errorf("learn --convert: runs nothing; unexpected arguments %q", args))
	}
	p, err := learnprofile.Read(path)
	if err != nil {
		return fail(err)
	}
	seccompFile := strings.TrimSuffix(path, ".json") + "-seccomp.json"
	switch format {
	case "flags", "text": // text: --format's default, shared with run's --dry-run
		fmt.Fprintln(out, strings.Join(p.FlagsOn(seccompFile, network), " "))
	case "seccomp":
		var buf bytes.Buffer
		if err := json.Indent(&buf, p.Seccomp, "", "  "); err != nil {
			return fail(fmt.Errorf("profile %s: seccomp: %w", path, err))
		}
		fmt.Fprintln(out, buf.String())
	case "compose", "kubernetes":
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		var y []byte
		if format == "compose" {
			y, err = p.ComposeService(name, seccompFile)
		} else {
			y, err = p.KubernetesContainer(name, "ward/"+filepath.Base(seccompFile))
			if err == nil {
				var np []byte // the egress as a second document, when learned
				if np, err = p.KubernetesNetworkPolicy(name); len(np) > 0 {
					y = append(append(y, "---\n"...), np...)
				}
			}
		}
		if err != nil {
			return fail(fmt.Errorf("learn --convert %s: %w", path, err))
		}
		_, err = out.Write(y)
		return err
	default:
		return fail(fmt.Errorf("learn --convert: --format %q: want flags, seccomp, compose or kubernetes", format))
	}
	return nil
}
