package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/learn"
	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/runrequest"
)

// learnFlags are `ward learn`'s own flags; the rest are `ward run`'s.
type learnFlags struct {
	output, verify, exercise string
	convert                  string
	duration                 time.Duration
}

// newLearnCommand is `ward learn`: run a container under observation and
// write the least privilege it needed as a profile (-o), or replay a
// profile with the same command line (--verify). Exit 0 on a profile
// written or a replay passed, 1 when the workload or its exercise
// failed, 125 when ward failed.
func newLearnCommand() *cobra.Command {
	var f runFlags
	var lf learnFlags
	cmd := &cobra.Command{
		Use:   "learn (-o PROFILE | --verify PROFILE) [--exercise CMD] [--duration D] [run flags] IMAGE [COMMAND [ARG...]]\n  ward learn --convert PROFILE --format flags|seccomp|compose|kubernetes",
		Short: "Learn the least privilege a container needs by watching it run, then prove it by replay",
		RunE: func(cmd *cobra.Command, args []string) error {
			if help, _ := cmd.Flags().GetBool("help"); help {
				return cmd.Help()
			}
			if lf.convert != "" {
				return convertProfile(cmd, &lf, args)
			}
			if len(args) == 0 {
				return &exitstatus.Error{Code: 125, Err: errors.New("learn: name an image")}
			}
			return runLearn(cmd, &f, &lf, args)
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&lf.output, "output", "o", "", "write the learned profile to this file")
	fl.StringVar(&lf.verify, "verify", "", "replay the command line and its exercise under this profile")
	fl.StringVar(&lf.exercise, "exercise", "", "shell command run on the host once the container runs (WARD_CONTAINER_ID, WARD_CONTAINER_IP set); its status is the pass or fail")
	fl.StringVar(&lf.convert, "convert", "", "print a profile as --format flags|seccomp|compose|kubernetes says, running nothing")
	fl.DurationVar(&lf.duration, "duration", 0, "stop the container after this long (e.g. 30s)")
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &exitstatus.Error{Code: 125, Err: err} })
	return cmd
}

func runLearn(cmd *cobra.Command, f *runFlags, lf *learnFlags, args []string) error {
	fail := func(err error) error { return &exitstatus.Error{Code: 125, Err: err} }
	switch {
	case (lf.output == "") == (lf.verify == ""):
		return fail(errors.New("learn: give -o PROFILE to learn or --verify PROFILE to replay"))
	case f.Detach:
		return fail(errors.New("learn: -d is not supported: ward learn watches the container to its end"))
	case f.Profile != "":
		return fail(errors.New("learn: --profile is not supported; --verify replays a profile"))
	case f.Policy.DryRun:
		return fail(errors.New("learn: --dry-run is not supported"))
	}
	req, err := f.Request(args, cmd.Flags().Changed)
	if err != nil {
		return fail(err)
	}
	rt, err := engineconfig.Runtime(f.Runtime)
	if err != nil {
		return fail(err)
	}
	e, err := open.Engine(cli.Layout(), rt)
	if err != nil {
		return fail(err)
	}
	if err := engine.SetSubreaper(); err != nil {
		return fail(err)
	}
	lreq := learn.Request{Create: req, Exercise: lf.exercise, Duration: lf.duration, Stdout: os.Stdout, Stderr: os.Stderr}
	ctx := context.Background()
	stderr := cmd.ErrOrStderr()

	if lf.verify != "" {
		p, err := learnprofile.Read(lf.verify)
		if err != nil {
			return fail(err)
		}
		if err := f.Policy.Enforce(cli.Layout(), runrequest.WithProfile(req, p), stderr); err != nil {
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
			return &exitstatus.Error{Code: 1, Err: fmt.Errorf("learn --verify %s: replay failed: %s; %s", lf.verify, r.Verdict(), why)}
		}
		fmt.Fprintf(stderr, "ward learn: replay under %s passed\n", lf.verify)
		return nil
	}

	if err := f.Policy.Enforce(cli.Layout(), req, stderr); err != nil {
		return fail(err)
	}
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
	p, err := learn.Profile(r, lf.exercise)
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
	if err := p.Write(lf.output); err != nil {
		return fail(err)
	}
	calls, _ := p.AllowedSyscalls()
	var paths []string
	for _, w := range p.WritablePaths {
		paths = append(paths, w.Path)
	}
	fmt.Fprintf(stderr, "ward learn: %d system calls, capabilities [%s] (of [%s] granted), writable [%s], user %s, egress %s, listening %s; proved by the last of %d replays; profile written to %s\n",
		len(calls), strings.Join(p.Capabilities, " "), strings.Join(p.ObservedCapabilities, " "), strings.Join(paths, " "), p.User,
		learn.EgressSummary(p, req.Run.Network), p.Listening(), replays+1, lf.output)
	return nil
}

// convertProfile prints a profile as the flags with its effect or as its
// Docker seccomp profile; the flags name the seccomp file as
// PROFILE-seccomp.json, which --format seccomp writes to stdout.
func convertProfile(cmd *cobra.Command, lf *learnFlags, args []string) error {
	fail := func(err error) error { return &exitstatus.Error{Code: 125, Err: err} }
	if len(args) > 0 {
		return fail(fmt.Errorf("learn --convert: runs nothing; unexpected arguments %q", args))
	}
	p, err := learnprofile.Read(lf.convert)
	if err != nil {
		return fail(err)
	}
	// --format is run's (--dry-run's) flag, shared: text, its default, means flags here.
	format, _ := cmd.Flags().GetString("format")
	out := cmd.OutOrStdout()
	switch format {
	case "flags", "text":
		seccompFile := strings.TrimSuffix(lf.convert, ".json") + "-seccomp.json"
		network, _ := cmd.Flags().GetString("network") // run's flag: --egress is left out where it does not apply
		fmt.Fprintln(out, strings.Join(p.FlagsOn(seccompFile, network), " "))
	case "seccomp":
		var buf bytes.Buffer
		if err := json.Indent(&buf, p.Seccomp, "", "  "); err != nil {
			return fail(fmt.Errorf("profile %s: seccomp: %w", lf.convert, err))
		}
		fmt.Fprintln(out, buf.String())
	case "compose", "kubernetes":
		name := strings.TrimSuffix(filepath.Base(lf.convert), ".json")
		seccompFile := strings.TrimSuffix(lf.convert, ".json") + "-seccomp.json"
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
			return fail(fmt.Errorf("learn --convert %s: %w", lf.convert, err))
		}
		out.Write(y)
	default:
		return fail(fmt.Errorf("learn --convert: --format %q: want flags, seccomp, compose or kubernetes", format))
	}
	return nil
}
