package audit

import (
	"slices"

	"github.com/wardproject/ward/internal/workload"
)

// Options configures one Check run.
type Options struct {
	Rules    []Rule
	Config   *Config         // nil: no config
	Accepted map[string]bool // fingerprints from --accept
	// Extra are inputs read elsewhere (images, running containers), judged
	// after the paths as if they had been read from them.
	Extra []workload.Input
	// MinVulnSeverity and AllowUncovered: see Settings.
	MinVulnSeverity Severity
	AllowUncovered  bool
	// Severities, when not empty, keeps only findings of these severities
	// (`--severity`); the others are neither reported nor counted.
	Severities []Severity
}

// Check reads every path (files, or directories walked), evaluates the rules
// and returns the report. It returns an error only when a path cannot be
// read at all; a file that fails to parse is recorded in Report.Errors and
// the other files are still judged.
func Check(paths []string, opts Options) (*Report, error) {
	cfg := opts.Config
	if cfg == nil {
		cfg = &Config{}
	}
	r := &Report{}
	var ws []workload.Workload
	var sups []Suppression
	var all []workload.Input
	for _, p := range paths {
		inputs, err := workload.ReadPath(p)
		if err != nil {
			return nil, err
		}
		all = append(all, inputs...)
	}
	all = append(all, opts.Extra...)
	for _, in := range all {
		if in.Err != nil {
			r.Errors = append(r.Errors, in.Err.Error())
			continue
		}
		s, err := ParseSuppressions(in.File, in.Data)
		if err != nil {
			r.Errors = append(r.Errors, err.Error())
			continue
		}
		sups = append(sups, s...)
		r.Inputs = append(r.Inputs, Input{File: in.File, Kind: in.Kind, Workloads: len(in.Workloads)})
		ws = append(ws, in.Workloads...)
		for _, w := range in.Workloads {
			if w.User.RootMappedAway() {
				r.mappedRoot++
			}
			if w.Content != nil {
				r.images++
				if w.Content.Scan != nil {
					r.scanned++
					if len(w.Content.Scan.Gaps) > 0 {
						r.incomplete++
					}
				}
			}
		}
	}
	findings := Evaluate(opts.Rules, ws, Settings{TrustedRegistries: cfg.TrustedRegistries, MinVulnSeverity: opts.MinVulnSeverity, AllowUncovered: opts.AllowUncovered})
	if len(opts.Severities) > 0 {
		kept := findings[:0]
		for _, f := range findings {
			if slices.Contains(opts.Severities, f.Severity) {
				kept = append(kept, f)
			}
		}
		findings = kept
	}

	findings, ignored := cfg.Apply(findings)
	r.Suppressed = append(r.Suppressed, ignored...)

	findings, inline := ApplySuppressions(findings, sups)
	r.Suppressed = append(r.Suppressed, inline...)

	if opts.Accepted != nil {
		var accepted []Suppressed
		findings, accepted = ApplyAccepted(findings, opts.Accepted)
		r.Suppressed = append(r.Suppressed, accepted...)
	}
	SortFindings(findings)
	r.Findings = findings
	trustChecked := len(cfg.TrustedRegistries) > 0
	for _, w := range ws {
		trustChecked = trustChecked || w.Trust != nil // judged under a trust policy
	}
	r.Summarize(opts.Rules, trustChecked)
	return r, nil
}
