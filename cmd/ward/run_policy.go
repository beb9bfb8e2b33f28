package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/judge/request"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
)

// runPolicyFlags are the flags of ward run and ward create that judge a
// command line before anything is created. The judging is ward-audit's
// (`judge-run`, see cmd/ward-audit/judge.go): it holds the rules and the
// readers, which ward does not link (audit.go says why), and it reads the
// spec the runtime would receive with ward check's own OCI reader, so
// `ward check --policy P` and `ward run --policy P` cannot disagree.
type runPolicyFlags struct {
	policy     string
	failOnVuln string
	// allowUncovered: --fail-on-vuln passes images whose scan has gaps.
	allowUncovered bool
	dryRun         bool
	format         string
}

// defaultPolicy is the profile that refuses nothing (Docker's behaviour).
const defaultPolicy = "default"

func (p *runPolicyFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&p.policy, "policy", "", "refuse to run what this policy forbids: default, baseline, restricted (default: ward's config, else default)")
	fl.StringVar(&p.failOnVuln, "fail-on-vuln", "", "also refuse images with known vulnerabilities at or above this severity (low, medium, high, critical); needs `ward db import`")
	fl.BoolVar(&p.allowUncovered, "allow-uncovered", false, "let --fail-on-vuln pass an image whose scan could not see everything (an unknown distribution, an ecosystem without advisories, an unreadable package database)")
	fl.BoolVar(&p.dryRun, "dry-run", false, "create nothing: print what ward check reports for this command line")
	fl.StringVar(&p.format, "format", "text", "--dry-run output: text, json, sarif, or inspect (the record ward inspect would print)")
}

// resolve names the policy and vulnerability gate in force: the flags,
// else ward's config file, else the default policy and no gate.
func (p *runPolicyFlags) resolve() (name, gate string, err error) {
	name, gate = p.policy, p.failOnVuln
	if name == "" || gate == "" {
		cfg, err := engineconfig.Read()
		if err != nil {
			return "", "", err
		}
		if name == "" {
			name = cfg.Policy
		}
		if gate == "" {
			gate = cfg.FailOnVuln
		}
	}
	if name == "" {
		name = defaultPolicy
	}
	return name, gate, nil
}

// enforce refuses req when the policy forbids it. The default policy
// without a vulnerability gate refuses nothing and costs nothing.
func (p *runPolicyFlags) enforce(req engine.CreateRequest, stderr io.Writer) error {
	name, gate, err := p.resolve()
	if err != nil {
		return err
	}
	if name == defaultPolicy && gate == "" {
		return nil
	}
	// The runtime is not needed to judge: a refusal comes before ward
	// looks for one.
	p2, err := preview(req)
	if err != nil {
		return err
	}
	return request.Judge(cli.Layout(), p2, p.judgeArgs(name, gate), io.Discard, stderr)
}

// judgeArgs are the judge's flags for the policy and gate in force.
func (p *runPolicyFlags) judgeArgs(name, gate string) []string {
	args := []string{"--policy", name, "--fail-on-vuln", gate}
	if p.allowUncovered {
		args = append(args, "--allow-uncovered")
	}
	return args
}

// printDryRun prints what ward check reports for the command line (every
// rule, or the --policy's), and exits 125 when the policy in force would
// refuse it, as ward run would.
func (p *runPolicyFlags) printDryRun(cmd *cobra.Command, f *runFlags, args []string) error {
	fail := func(err error) error { return &exitstatus.Error{Code: 125, Err: err} }
	name, gate, err := p.resolve()
	if err != nil {
		return fail(err)
	}
	req, err := f.request(cmd, args)
	if err != nil {
		return fail(err)
	}
	pv, err := preview(req)
	if err != nil {
		return fail(err)
	}
	judgeArgs := p.judgeArgs(name, gate)
	if p.format == "inspect" {
		data, err := json.MarshalIndent([]*record.Container{pv.Record}, "", "    ")
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(cmd.OutOrStdout(), string(data))
	} else {
		judgeArgs = append(judgeArgs, "--dry-run", "--format", p.format)
		if !slices.Contains([]string{"text", "json", "sarif"}, p.format) {
			return fail(fmt.Errorf("--format %q: want text, json, sarif or inspect", p.format))
		}
		if p.policy == "" && p.failOnVuln == "" {
			judgeArgs = append(judgeArgs, "--every-rule") // as ward check without --policy
		}
	}
	if p.format == "inspect" && name == defaultPolicy && gate == "" {
		return nil
	}
	out := cmd.OutOrStdout()
	if p.format == "inspect" {
		out = io.Discard // the record is printed; only the verdict counts
	}
	return request.Judge(cli.Layout(), pv, judgeArgs, out, cmd.ErrOrStderr())
}

// preview is the spec and record req would create; nothing is created.
func preview(req engine.CreateRequest) (*record.Preview, error) {
	e, err := open.Engine(cli.Layout(), "")
	if err != nil {
		return nil, err
	}
	return e.Preview(req)
}

// name is the --policy in force (the flag, else the config's).
func (p *runPolicyFlags) name() string {
	n, _, _ := p.resolve()
	return n
}
