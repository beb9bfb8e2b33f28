package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/rules"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/imageworkload"
	"github.com/wardproject/ward/internal/policy"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/scan/vulndb"
	"github.com/wardproject/ward/internal/workload"
)

// runPolicyFlags are the flags of ward run and ward create that judge a
// command line before anything is created.
type runPolicyFlags struct {
	policy     string
	failOnVuln string
	dryRun     bool
	format     string
}

func (p *runPolicyFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&p.policy, "policy", "", "refuse to run what this policy forbids: default, baseline, restricted (default: ward's config, else default)")
	fl.StringVar(&p.failOnVuln, "fail-on-vuln", "", "also refuse images with known vulnerabilities at or above this severity (low, medium, high, critical); needs `ward db import`")
	fl.BoolVar(&p.dryRun, "dry-run", false, "create nothing: print what ward check reports for this command line")
	fl.StringVar(&p.format, "format", "text", "--dry-run output: text, json, sarif, or inspect (the record ward inspect would print)")
}

// profile resolves the policy to enforce: the flags, else ward's config
// file, else default.
func (p *runPolicyFlags) profile() (policy.Profile, error) {
	name, gate := p.policy, p.failOnVuln
	if name == "" || gate == "" {
		cfg, err := readEngineConfig()
		if err != nil {
			return policy.Profile{}, err
		}
		if name == "" {
			name = cfg.Policy
		}
		if gate == "" {
			gate = cfg.FailOnVuln
		}
	}
	if name == "" {
		name = policy.DefaultProfile
	}
	prof, err := policy.Lookup(name)
	if err != nil {
		return prof, fmt.Errorf("--policy: %w", err)
	}
	if gate != "" {
		sev, err := audit.ParseSeverity(gate)
		if err != nil {
			return prof, fmt.Errorf("--fail-on-vuln: %w", err)
		}
		prof = prof.WithFailOnVuln(sev)
	}
	return prof, nil
}

// runWorkload is the one way a command line becomes a workload, for
// `ward run --policy`, `ward run --dry-run` and `ward check --container`:
// the record the engine writes (flags merged with the image config, in
// `ward inspect`'s JSON) read by ward check's inspect reader. With db and
// images set, the image's known vulnerabilities are added from db.
func runWorkload(images *store.Store, c *engine.Container, db matcher.AdvisorySource) (workload.Workload, error) {
	file := "container/" + c.ShortName()
	if c.ShortName() == "" {
		file = "ward run"
	}
	data, err := json.Marshal([]*engine.Container{c})
	if err != nil {
		return workload.Workload{}, err
	}
	ws, err := workload.ReadInspect(file, data)
	if err != nil {
		return workload.Workload{}, err
	}
	w := ws[0]
	w.File = file
	if c.ShortName() == "" {
		w.Resource = "container of " + c.Config.Image // a preview has no name yet
	}
	forgetLines(&w)
	if db != nil && images != nil && c.Image != "" {
		img, err := imageworkload.FromStore(images, c.Image)
		if errors.Is(err, store.ErrNotFound) {
			return w, nil // the image is gone: nothing to scan
		}
		if err != nil {
			return w, fmt.Errorf("image %s: %w", c.Config.Image, err)
		}
		defer img.Close()
		if w.Content, err = imageworkload.Inspect(img.Source, c.Config.Image, db); err != nil {
			return w, fmt.Errorf("image %s: %w", c.Config.Image, err)
		}
	}
	return w, nil
}

// previewRun is the record req would create, and its workload; the image
// is scanned when the profile gates vulnerabilities, or when scan is set
// and a database is loaded.
func previewRun(e *engine.Engine, req engine.CreateRequest, prof policy.Profile, scan bool, stderr io.Writer) (*engine.Container, workload.Workload, error) {
	req.DryRun = true
	c, err := e.Create(req)
	if err != nil {
		return nil, workload.Workload{}, err
	}
	var db matcher.AdvisorySource
	if prof.FailOnVuln != nil || scan {
		opened, err := vulndb.OpenReadOnly(vulnDBDir())
		switch {
		case err != nil && prof.FailOnVuln != nil:
			// A gate that cannot be checked refuses rather than passes.
			return nil, workload.Workload{}, fmt.Errorf("--fail-on-vuln %s cannot be checked: %w", prof.FailOnVuln, err)
		case err != nil:
			fmt.Fprintf(stderr, "ward: info: image-scan not checked: %v\n", err)
		default:
			defer opened.Close()
			db = opened
		}
	}
	w, err := runWorkload(e.Images, c, db)
	return c, w, err
}

// refusal is `ward run`'s answer when the policy forbids a command line:
// exit 125, nothing created, one line per violated rule with its fix.
func refusal(prof policy.Profile, fs []audit.Finding) error {
	var b strings.Builder
	fmt.Fprintf(&b, "refused by policy %s (%s); nothing was created:", prof.Name, audit.Count(len(fs), "violation"))
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s %s: %s. Fix: %s", f.Rule, f.Severity, f.Message, f.Fix)
	}
	return &engine.ExitError{Code: 125, Err: fmt.Errorf("%s", b.String())}
}

// enforcePolicy refuses req when the policy forbids it. The default
// policy without a vulnerability gate refuses nothing and costs nothing.
func (p *runPolicyFlags) enforce(req engine.CreateRequest, stderr io.Writer) error {
	prof, err := p.profile()
	if err != nil {
		return err
	}
	if len(prof.Rules) == 0 {
		return nil
	}
	// The runtime is not needed to judge: a refusal comes before ward
	// looks for one.
	e, err := openEngine("")
	if err != nil {
		return err
	}
	_, w, err := previewRun(e, req, prof, false, stderr)
	if err != nil {
		return err
	}
	if fs := policy.Evaluate(prof, w); len(fs) > 0 {
		return refusal(prof, fs)
	}
	return nil
}

// printDryRun prints what ward check reports for the command line (all rules,
// or the --policy's), and exits 125 when the policy in force would refuse
// it, as ward run would.
func (p *runPolicyFlags) printDryRun(cmd *cobra.Command, f *runFlags, args []string) error {
	fail := func(err error) error { return &engine.ExitError{Code: 125, Err: err} }
	if !contains(append([]string{"inspect"}, audit.Formats...), p.format) {
		return fail(fmt.Errorf("--format %q: want inspect or %s", p.format, strings.Join(audit.Formats, ", ")))
	}
	prof, err := p.profile()
	if err != nil {
		return fail(err)
	}
	req, err := f.request(cmd, args)
	if err != nil {
		return fail(err)
	}
	e, err := openEngine("")
	if err != nil {
		return fail(err)
	}
	// Scan the image when the report judges vulnerabilities: every rule
	// (no --policy) or a --fail-on-vuln gate (previewRun sees that).
	scan := p.format != "inspect" && p.policy == ""
	c, w, err := previewRun(e, req, prof, scan, cmd.ErrOrStderr())
	if err != nil {
		return fail(err)
	}
	out := cmd.OutOrStdout()
	if p.format == "inspect" {
		data, err := json.MarshalIndent([]*engine.Container{c}, "", "    ")
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(out, string(data))
	} else {
		// As ward check: every rule, or the named policy's.
		opts := audit.Options{Rules: rules.All(), Extra: []workload.Input{{File: w.File, Kind: workload.KindInspect, Workloads: []workload.Workload{w}}}}
		if p.policy != "" || p.failOnVuln != "" {
			opts.Rules, opts.MinVulnSeverity = prof.RuleSet(), prof.Settings().MinVulnSeverity
		}
		rep, err := audit.Check(nil, opts)
		if err != nil {
			return fail(err)
		}
		if err := audit.Write(out, p.format, rep, opts.Rules, false); err != nil {
			return fail(err)
		}
	}
	if fs := policy.Evaluate(prof, w); len(fs) > 0 {
		return refusal(prof, fs)
	}
	return nil
}
