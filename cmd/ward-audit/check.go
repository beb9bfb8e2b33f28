package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/audit/rules"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/policy"
)

// usageError is ward check's status 2: usage and input errors (1 is
// findings reaching --fail-on).
func usageError(err error) error { return exitstatus.New(2, err) }

type checkFlags struct {
	format      string
	failOn      string
	config      string
	accept      string
	writeAccept string
	policy      string
	output      string
	color       string
	containers  []string
	running     bool
	failOnVuln  string
	severities  []string
	imageSrc    string
	// allowUncovered accepts image scans with coverage gaps (WD261).
	allowUncovered bool
}

func newCheckCommand() *cobra.Command {
	var f checkFlags
	c := &cobra.Command{
		Use:   "check [PATH... | IMAGE... | -] [--container NAME] [--running]",
		Short: "Audit Dockerfiles, compose files, Kubernetes manifests, OCI config.json, inspect output, images and containers against the checklist",
		Long: `ward check reads the places where a container's privileges are decided and
reports, per checklist item, what runs as root, keeps capabilities, shares host
namespaces, mounts host paths, disables seccomp, or ships unpinned or bloated
images. Files are recognised by name or content; directories are walked
(hidden directories and unrendered templates skipped); "-" reads standard
input, e.g. helm template chart | ward check -. Rules: docs/RULES.md.
Images: a docker-save or OCI archive (told by content), or a name that is
no path, looked up in ward's image store: their USER, ENV, HEALTHCHECK,
setuid files, base, and known vulnerabilities when a database is loaded
(ward db import). Containers: --container NAME, or --running for all.
It judges effective settings: a Dockerfile without USER runs as root, a pod's
securityContext applies to its containers, Docker's defaults include NET_RAW.

Exit status: 0 when the inputs were read (and nothing reached --fail-on),
1 when a finding is at or above --fail-on (an image scan with coverage
gaps, WD261, reaches every level unless --allow-uncovered), 2 for usage or
input errors: a path that does not exist, or nothing to check where one
was named (a CI job pointed at the wrong directory fails).

Suppress a finding inline with a reason:  # ward:ignore=WD140 writes to /data
Accept today's findings so only new ones fail:  --write-accept FILE, then --accept FILE`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	fl := c.Flags()
	fl.StringVar(&f.format, "format", "text", "output format: "+strings.Join(audit.Formats, ", "))
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when a finding is at or above this severity (info, low, medium, high, critical)")
	fl.StringVar(&f.config, "config", "", "config file (default: "+audit.ConfigFile+" in the current directory, if present)")
	fl.StringVar(&f.accept, "accept", "", "accepted-findings file: findings listed there are not reported")
	fl.StringVar(&f.writeAccept, "write-accept", "", "write the current findings to this accepted-findings file")
	fl.StringVar(&f.policy, "policy", "", "report only the rules of this run policy (default, baseline, restricted)")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to this file instead of standard output")
	fl.StringVar(&f.color, "color", "auto", "colour text output: auto, always, never")
	fl.StringArrayVar(&f.containers, "container", nil, "check this ward container (name or ID; repeatable)")
	fl.BoolVar(&f.running, "running", false, "check every running ward container")
	fl.StringSliceVar(&f.severities, "severity", nil, "report only findings of these severities, a comma list (INFO,LOW,MEDIUM,HIGH,CRITICAL)")
	fl.StringVar(&f.imageSrc, "image-src", "", "read image names from ward's store or their registry only (store, registry); default: the store, else the registry for REGISTRY/REPO:TAG names")
	fl.BoolVar(&f.allowUncovered, "allow-uncovered", false, "accept image scans with coverage gaps (WD261): what the scan could not see is still listed by ward scan")
	fl.StringVar(&f.failOnVuln, "fail-on-vuln", "", "image-scan: report (and with --policy, refuse) only vulnerabilities at or above this severity (low, medium, high, critical)")
	return c
}

func runCheck(stdout, stderr io.Writer, args []string, f checkFlags) error {
	if !contains(audit.Formats, f.format) {
		return usageError(fmt.Errorf("unknown format %q (want %s)", f.format, strings.Join(audit.Formats, ", ")))
	}
	if !contains([]string{"auto", "always", "never"}, f.color) {
		return usageError(fmt.Errorf("unknown --color %q (want auto, always, never)", f.color))
	}
	var err error
	var failOn *audit.Severity
	if f.failOn != "" {
		s, err := audit.ParseSeverity(f.failOn)
		if err != nil {
			return usageError(fmt.Errorf("--fail-on: %w", err))
		}
		failOn = &s
	}
	ruleSet := rules.All()
	var minVuln audit.Severity
	if f.failOnVuln != "" {
		if minVuln, err = audit.ParseSeverity(f.failOnVuln); err != nil {
			return usageError(fmt.Errorf("--fail-on-vuln: %w", err))
		}
	}
	if f.policy != "" {
		p, err := policy.Lookup(f.policy)
		if err != nil {
			return usageError(err)
		}
		if f.failOnVuln != "" {
			p = p.WithFailOnVuln(minVuln)
		}
		ruleSet = p.RuleSet()
	}
	cfgPath, required := f.config, true
	if cfgPath == "" {
		cfgPath, required = audit.ConfigFile, false
	}
	cfg, err := audit.LoadConfig(cfgPath, required)
	if err != nil {
		return usageError(err)
	}
	if err := cfg.Validate(func(id string) bool { _, ok := rules.ByID(id); return ok }); err != nil {
		return usageError(fmt.Errorf("%s: %w", cfgPath, err))
	}
	opts := audit.Options{Rules: ruleSet, Config: cfg, MinVulnSeverity: minVuln, AllowUncovered: f.allowUncovered}
	for _, name := range f.severities {
		s, err := audit.ParseSeverity(name)
		if err != nil {
			return usageError(fmt.Errorf("--severity: %w", err))
		}
		opts.Severities = append(opts.Severities, s)
	}
	if f.accept != "" {
		if opts.Accepted, err = audit.LoadAccept(f.accept); err != nil {
			return usageError(err)
		}
	}
	if f.imageSrc != imageSrcAuto && f.imageSrc != imageSrcStore && f.imageSrc != imageSrcRegistry {
		return usageError(fmt.Errorf("--image-src %q: want store or registry", f.imageSrc))
	}
	inputs := &checkInputs{stderr: stderr, imageSrc: f.imageSrc}
	defer inputs.close()
	paths, extra := inputs.split(args)
	if len(f.containers) > 0 || f.running {
		cs, err := inputs.containers(f.containers, f.running)
		if err != nil {
			return usageError(err)
		}
		extra = append(extra, cs...)
	}
	opts.Extra = extra
	if len(args) == 0 && len(f.containers) == 0 && !f.running {
		paths = []string{"."}
	}
	report, err := audit.Check(paths, opts)
	if err != nil {
		return usageError(err)
	}
	if len(report.Inputs) == 0 && (len(args) > 0 || len(report.Errors) > 0 || !(len(f.containers) > 0 || f.running)) {
		// Nothing was judged: a checklist of "yes" over zero workloads
		// would pass a CI job pointed at the wrong place. One line, no
		// answer. (Checking --running containers when none run is not
		// an input error: there is nothing to refuse.)
		if len(report.Errors) > 0 {
			return usageError(fmt.Errorf("%s", strings.Join(report.Errors, "; ")))
		}
		named := args
		if len(named) == 0 {
			named = []string{"."}
		}
		return usageError(fmt.Errorf("nothing to check in %s: no Dockerfile, compose file, Kubernetes manifest, OCI config.json, inspect output or image found", strings.Join(named, ", ")))
	}

	if f.writeAccept != "" {
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
		if err := os.WriteFile(f.writeAccept, buf.Bytes(), 0o644); err != nil {
			return usageError(fmt.Errorf("write accept file %s: %w", f.writeAccept, err))
		}
	}

	out := stdout
	if f.output != "" {
		file, err := os.Create(f.output)
		if err != nil {
			return usageError(fmt.Errorf("create %s: %w", f.output, err))
		}
		defer file.Close()
		out = file
	}
	color := f.color == "always" || (f.color == "auto" && f.output == "" && isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == "")
	if err := audit.Write(out, f.format, report, ruleSet, color); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if f.format != "text" {
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

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
