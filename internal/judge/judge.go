// Package judge is the auditor's half of the judge-run protocol.
//
// The judge protocol: `ward run --policy P` (and --fail-on-vuln, and
// --dry-run) builds what it would create without creating it, an
// record.Preview: the OCI spec the runtime would receive and the record
// `ward inspect` would print. It passes that as JSON on standard input to
// `ward-audit judge-run`, which judges the spec with ward check's OCI
// reader plus the image's facts (containerworkload), as `ward check
// --container` judges a created container's config.json, and answers
// with its exit status: 0 to go ahead, 125 when the policy refuses (the
// refusal on stderr), as `ward run` exits.
//
// internal/judge/request is ward's half. ward itself links neither the
// audit nor the scanner.
package judge

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/rules"
	"github.com/wardproject/ward/internal/containerworkload"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/policy"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/scan/vulndb"
	"github.com/wardproject/ward/internal/workload"
)

// Options are judge-run's flags.
type Options struct {
	Policy     string
	FailOnVuln string
	// AllowUncovered lets the vulnerability gate pass coverage gaps.
	AllowUncovered bool
	DryRun         bool // print ward check's report of the record
	EveryRule      bool // with DryRun: report every rule, not only the policy's
	Format         string
}

// Run judges the preview on stdin, as `ward-audit judge-run`: it prints
// the --dry-run report to stdout, and returns an error carrying status 125
// (the refusal, one line per violated rule) when the policy forbids it.
// l is the root whose image store and vulnerability database it reads.
func Run(l rootdir.Layout, stdin io.Reader, stdout, stderr io.Writer, f Options) error {
	fail := func(err error) error { return &exitstatus.Error{Code: 125, Err: err} }
	prof, err := policy.Lookup(f.Policy)
	if err != nil {
		return fail(fmt.Errorf("--policy: %w", err))
	}
	if f.FailOnVuln != "" {
		sev, err := audit.ParseSeverity(f.FailOnVuln)
		if err != nil {
			return fail(fmt.Errorf("--fail-on-vuln: %w", err))
		}
		prof = prof.WithFailOnVuln(sev)
		if f.AllowUncovered {
			prof = prof.WithAllowUncovered()
		}
	}
	if f.DryRun && !slices.Contains(audit.Formats, f.Format) {
		return fail(fmt.Errorf("--format %q: want inspect or %s", f.Format, strings.Join(audit.Formats, ", ")))
	}
	var preview record.Preview
	if err := json.NewDecoder(stdin).Decode(&preview); err != nil {
		return fail(fmt.Errorf("container preview on stdin: %w", err))
	}
	if preview.Record == nil || preview.Spec == nil {
		return fail(fmt.Errorf("container preview on stdin: no record or spec"))
	}

	// Scan the image when a gate asks, or when a dry run reports every
	// rule and a database is loaded.
	var db matcher.AdvisorySource
	if prof.FailOnVuln != nil || (f.DryRun && f.EveryRule) {
		opened, err := vulndb.OpenReadOnly(l.VulnDB())
		switch {
		case err != nil && prof.FailOnVuln != nil:
			// A gate that cannot be checked refuses rather than passes.
			return fail(fmt.Errorf("--fail-on-vuln %s cannot be checked: %w", prof.FailOnVuln, err))
		case err != nil:
			fmt.Fprintf(stderr, "ward: info: image-scan not checked: %v\n", err)
		default:
			defer opened.Close()
			db = opened
		}
	}
	// The image's files are read for a report of every rule (setuid
	// files and the like), and for a vulnerability scan.
	img := containerworkload.Image{DB: db, Content: f.DryRun && f.EveryRule}
	if img.DB != nil || img.Content {
		if img.Store, err = store.Open(l.Images()); err != nil {
			return fail(err)
		}
	}
	w, err := containerworkload.FromPreview(&preview, img)
	if err != nil {
		return fail(err)
	}
	if f.DryRun {
		opts := audit.Options{Rules: rules.All(), Extra: []workload.Input{{File: w.File, Kind: w.Kind, Workloads: []workload.Workload{w}}}}
		if !f.EveryRule {
			opts.Rules, opts.MinVulnSeverity = prof.RuleSet(), prof.Settings().MinVulnSeverity
		}
		rep, err := audit.Check(nil, opts)
		if err != nil {
			return fail(err)
		}
		if err := audit.Write(stdout, f.Format, rep, opts.Rules, false); err != nil {
			return fail(err)
		}
	}
	if fs := policy.Evaluate(prof, w); len(fs) > 0 {
		return refusal(prof, fs)
	}
	return nil
}

// refusal is `ward run`'s answer when the policy forbids a command line:
// exit 125, nothing created, one line per violated rule with its fix.
func refusal(prof policy.Profile, fs []audit.Finding) error {
	var b strings.Builder
	fmt.Fprintf(&b, "refused by policy %s (%s); nothing was created:", prof.Name, audit.Count(len(fs), "violation"))
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s %s: %s. Fix: %s", f.Rule, f.Severity, f.Message, f.Fix)
	}
	return &exitstatus.Error{Code: 125, Err: fmt.Errorf("%s", b.String())}
}
