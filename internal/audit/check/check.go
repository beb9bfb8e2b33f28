// Package check runs `ward check`: it turns the verb's options into
// audit.Options, reads what is named (files and directories through
// audit.Check; images and containers through Inputs), writes the report
// and says the exit status, as hadolint's: 0 when the inputs were read and
// nothing reached --fail-on, 1 when a finding did, 2 for usage and input
// errors (UsageError).
package check

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/rules"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/policy"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/scan/target"
)

// UsageError is ward check's status 2, for usage and input errors (1 is
// findings reaching --fail-on). The other audit verbs (sbom, scan, db)
// share the convention.
func UsageError(err error) error { return exitstatus.New(2, err) }

// Options are ward check's flags.
type Options struct {
	Format      string
	FailOn      string
	Config      string
	Accept      string
	WriteAccept string
	Policy      string
	Output      string
	Color       string // auto, always, never
	Containers  []string
	Running     bool
	FailOnVuln  string
	Severities  []string
	ImageSrc    string // --image-src (package target)
	// AllowUncovered accepts image scans with coverage gaps (WD261).
	AllowUncovered bool
}

// Run checks the paths, images and containers that args and the options
// name, with ward's stores under root, and writes the report to stdout
// (or --output); notes and errors go to stderr.
func Run(root rootdir.Layout, stdout, stderr io.Writer, args []string, f Options) error {
	if !slices.Contains(audit.Formats, f.Format) {
		return UsageError(fmt.Errorf("unknown format %q (want %s)", f.Format, strings.Join(audit.Formats, ", ")))
	}
	if !slices.Contains([]string{"auto", "always", "never"}, f.Color) {
		return UsageError(fmt.Errorf("unknown --color %q (want auto, always, never)", f.Color))
	}
	var err error
	var failOn *audit.Severity
	if f.FailOn != "" {
		s, err := audit.ParseSeverity(f.FailOn)
		if err != nil {
			return UsageError(fmt.Errorf("--fail-on: %w", err))
		}
		failOn = &s
	}
	ruleSet := rules.All()
	var minVuln audit.Severity
	if f.FailOnVuln != "" {
		if minVuln, err = audit.ParseSeverity(f.FailOnVuln); err != nil {
			return UsageError(fmt.Errorf("--fail-on-vuln: %w", err))
		}
	}
	if f.Policy != "" {
		p, err := policy.Lookup(f.Policy)
		if err != nil {
			return UsageError(err)
		}
		if f.FailOnVuln != "" {
			p = p.WithFailOnVuln(minVuln)
		}
		ruleSet = p.RuleSet()
	}
	cfgPath, required := f.Config, true
	if cfgPath == "" {
		cfgPath, required = audit.ConfigFile, false
	}
	cfg, err := audit.LoadConfig(cfgPath, required)
	if err != nil {
		return UsageError(err)
	}
	if err := cfg.Validate(func(id string) bool { _, ok := rules.ByID(id); return ok }); err != nil {
		return UsageError(fmt.Errorf("%s: %w", cfgPath, err))
	}
	opts := audit.Options{Rules: ruleSet, Config: cfg, MinVulnSeverity: minVuln, AllowUncovered: f.AllowUncovered}
	for _, name := range f.Severities {
		s, err := audit.ParseSeverity(name)
		if err != nil {
			return UsageError(fmt.Errorf("--severity: %w", err))
		}
		opts.Severities = append(opts.Severities, s)
	}
	if f.Accept != "" {
		if opts.Accepted, err = audit.LoadAccept(f.Accept); err != nil {
			return UsageError(err)
		}
	}
	if err := target.CheckFrom(f.ImageSrc); err != nil {
		return UsageError(err)
	}
	inputs := &Inputs{Root: root, Stderr: stderr, From: f.ImageSrc}
	defer inputs.Close()
	paths, extra := inputs.Split(args)
	if len(f.Containers) > 0 || f.Running {
		cs, err := inputs.Containers(f.Containers, f.Running)
		if err != nil {
			return UsageError(err)
		}
		extra = append(extra, cs...)
	}
	opts.Extra = extra
	if len(args) == 0 && len(f.Containers) == 0 && !f.Running {
		paths = []string{"."}
	}
	report, err := audit.Check(paths, opts)
	if err != nil {
		return UsageError(err)
	}
	if len(report.Inputs) == 0 && (len(args) > 0 || len(report.Errors) > 0 || !(len(f.Containers) > 0 || f.Running)) {
		// Nothing was judged: a checklist of "yes" over zero workloads
		// would pass a CI job pointed at the wrong place. One line, no
		// answer. (Checking --running containers when none run is not
		// an input error: there is nothing to refuse.)
		if len(report.Errors) > 0 {
			return UsageError(fmt.Errorf("%s", strings.Join(report.Errors, "; ")))
		}
		named := args
		if len(named) == 0 {
			named = []string{"."}
		}
		return UsageError(fmt.Errorf("nothing to check in %s: no Dockerfile, compose file, Kubernetes manifest, OCI config.json, inspect output or image found", strings.Join(named, ", ")))
	}

	if f.WriteAccept != "" {
		all := append([]audit.Finding{}, report.Findings...)
		for _, s := range report.Suppressed {
			if s.By == "accept" {
				all = append(all, s.Finding)
			}
		}
		audit.SortFindings(all)
		var buf bytes.Buffer
		if err := audit.WriteAccept(&buf, all); err != nil {
			return err
		}
		if err := os.WriteFile(f.WriteAccept, buf.Bytes(), 0o644); err != nil {
			return UsageError(fmt.Errorf("write accept file %s: %w", f.WriteAccept, err))
		}
	}

	out := stdout
	if f.Output != "" {
		file, err := os.Create(f.Output)
		if err != nil {
			return UsageError(fmt.Errorf("create %s: %w", f.Output, err))
		}
		defer file.Close()
		out = file
	}
	color := f.Color == "always" || (f.Color == "auto" && f.Output == "" && term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("NO_COLOR") == "")
	if err := audit.Write(out, f.Format, report, ruleSet, color); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if f.Format != "text" {
		// Errors are in the JSON/SARIF document for machines; say them
		// to people too.
		for _, e := range report.Errors {
			fmt.Fprintln(stderr, "ward check: "+e)
		}
	}

	if len(report.Errors) > 0 {
		return exitstatus.New(2, fmt.Errorf("check: %d inputs could not be read", len(report.Errors)))
	}
	if worst, ok := report.Worst(); ok && failOn != nil && worst >= *failOn {
		n := 0
		for _, fd := range report.Findings {
			if fd.Severity >= *failOn {
				n++
			}
		}
		return exitstatus.New(1, fmt.Errorf("check: %d findings at or above %s", n, *failOn))
	}
	return nil
}
