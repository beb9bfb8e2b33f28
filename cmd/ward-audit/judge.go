package main

import (
	"encoding/json"
	"fmt"
	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/exitstatus"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/rules"
	"github.com/wardproject/ward/internal/containerworkload"
	"github.com/wardproject/ward/internal/image/store"
	"github.com/wardproject/ward/internal/policy"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/scan/matcher"
	"github.com/wardproject/ward/internal/scan/vulndb"
	"github.com/wardproject/ward/internal/workload"
)

// The judge protocol: `ward run --policy P` (and --fail-on-vuln, and
// --dry-run) builds what it would create without creating it, an
// record.Preview: the OCI spec the runtime would receive and the record
// `ward inspect` would print. It passes that as JSON on standard input to
// `ward-audit judge-run`, which judges the spec with ward check's OCI
// reader plus the image's facts (containerworkload), as `ward check
// --container` judges a created container's config.json, and answers
// with its exit status: 0 to go ahead, 125 when the policy refuses (the
// refusal on stderr), as `ward run` exits.

type judgeFlags struct {
	policy     string
	failOnVuln string
	// allowUncovered lets the vulnerability gate pass coverage gaps.
	allowUncovered bool
	dryRun         bool
	everyRule      bool
	format         string
}

// newJudgeCommand is ward run's policy check; hidden, ward runs it.
func newJudgeCommand() *cobra.Command {
	var f judgeFlags
	cmd := &cobra.Command{
		Use:    "judge-run",
		Short:  "Judge the container record on stdin against a run policy (used by ward run)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return judgeRun(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.policy, "policy", policy.DefaultProfile, "run policy")
	fl.StringVar(&f.failOnVuln, "fail-on-vuln", "", "refuse images with vulnerabilities at or above this severity")
	fl.BoolVar(&f.allowUncovered, "allow-uncovered", false, "let --fail-on-vuln pass an image whose scan has coverage gaps")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print ward check's report of the record")
	fl.BoolVar(&f.everyRule, "every-rule", false, "with --dry-run: report every rule, not only the policy's")
	fl.StringVar(&f.format, "format", "text", "--dry-run report format: "+strings.Join(audit.Formats, ", "))
	return cmd
}

func judgeRun(stdin io.Reader, stdout, stderr io.Writer, f judgeFlags) error {
	fail := func(err error) error { return &exitstatus.Error{Code: 125, Err: err} }
	prof, err := policy.Lookup(f.policy)
	if err != nil {
		return fail(fmt.Errorf("--policy: %w", err))
	}
	if f.failOnVuln != "" {
		sev, err := audit.ParseSeverity(f.failOnVuln)
		if err != nil {
			return fail(fmt.Errorf("--fail-on-vuln: %w", err))
		}
		prof = prof.WithFailOnVuln(sev)
		if f.allowUncovered {
			prof = prof.WithAllowUncovered()
		}
	}
	if f.dryRun && !contains(audit.Formats, f.format) {
		return fail(fmt.Errorf("--format %q: want inspect or %s", f.format, strings.Join(audit.Formats, ", ")))
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
	if prof.FailOnVuln != nil || (f.dryRun && f.everyRule) {
		opened, err := vulndb.OpenReadOnly(vulnDBDir())
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
	img := containerworkload.Image{DB: db, Content: f.dryRun && f.everyRule}
	if img.DB != nil || img.Content {
		if img.Store, err = openImageStore(); err != nil {
			return fail(err)
		}
	}
	w, err := containerworkload.FromPreview(&preview, img)
	if err != nil {
		return fail(err)
	}
	if f.dryRun {
		opts := audit.Options{Rules: rules.All(), Extra: []workload.Input{{File: w.File, Kind: w.Kind, Workloads: []workload.Workload{w}}}}
		if !f.everyRule {
			opts.Rules, opts.MinVulnSeverity = prof.RuleSet(), prof.Settings().MinVulnSeverity
		}
		rep, err := audit.Check(nil, opts)
		if err != nil {
			return fail(err)
		}
		if err := audit.Write(stdout, f.format, rep, opts.Rules, false); err != nil {
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

// openImageStore opens ward's image store for reading what is there.
func openImageStore() (*store.Store, error) {
	return store.Open(cli.Layout().Images())
}
