// Package runpolicy is the gate of `ward run`, `ward create` and
// `ward learn` before anything is created: the --policy and
// --fail-on-vuln in force (the flags, else ward's config file), and
// their verdict on the spec and record the create would make. The
// judging itself is ward-audit's (`judge-run`, internal/judge): it holds
// the rules and the readers, which ward does not link, and it reads the
// spec the runtime would receive with ward check's own OCI reader, so
// `ward check --policy P` and `ward run --policy P` cannot disagree.
package runpolicy

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/engineconfig"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/judge/request"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
)

// Default is the profile that refuses nothing (Docker's behaviour).
const Default = "default"

// Flags are the values of --policy, --fail-on-vuln, --allow-uncovered,
// --dry-run and --format, as given ("" when not).
type Flags struct {
	Policy     string
	FailOnVuln string
	// AllowUncovered: --fail-on-vuln passes images whose scan has gaps.
	AllowUncovered bool
	DryRun         bool
	Format         string // --dry-run's output: text, json, sarif or inspect
}

// Resolve names the policy and vulnerability gate in force: the flags,
// else ward's config file, else the default policy and no gate.
func (p *Flags) Resolve() (name, gate string, err error) {
	name, gate = p.Policy, p.FailOnVuln
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
		name = Default
	}
	return name, gate, nil
}

// Name is the --policy in force (the flag, else the config's); the
// default policy when the config cannot be read.
func (p *Flags) Name() string {
	n, _, _ := p.Resolve()
	return n
}

// JudgeArgs are the judge's flags for the policy and gate in force.
func (p *Flags) JudgeArgs(name, gate string) []string {
	args := []string{"--policy", name, "--fail-on-vuln", gate}
	if p.AllowUncovered {
		args = append(args, "--allow-uncovered")
	}
	return args
}

// Enforce refuses req when the policy in force forbids it; the refusal
// is on stderr and the error carries the judge's exit status. The
// default policy without a vulnerability gate refuses nothing and costs
// nothing.
func (p *Flags) Enforce(l rootdir.Layout, req engine.CreateRequest, stderr io.Writer) error {
	name, gate, err := p.Resolve()
	if err != nil {
		return err
	}
	if name == Default && gate == "" {
		return nil
	}
	// The runtime is not needed to judge: a refusal comes before ward
	// looks for one.
	pv, err := Preview(l, req)
	if err != nil {
		return err
	}
	return request.Judge(l, pv, p.JudgeArgs(name, gate), io.Discard, stderr)
}

// PrintDryRun prints what ward check reports for req (every rule, or
// those of the --policy given), or with --format inspect the record
// ward inspect would print. Its own failures exit 125; its error carries the judge's status when
// the policy in force (name, gate: Resolve's) would refuse req, as
// ward run would. Nothing is created.
func (p *Flags) PrintDryRun(l rootdir.Layout, req engine.CreateRequest, name, gate string, stdout, stderr io.Writer) error {
	fail := func(err error) error { return exitstatus.New(125, err) }
	pv, err := Preview(l, req)
	if err != nil {
		return fail(err)
	}
	judgeArgs := p.JudgeArgs(name, gate)
	if p.Format == "inspect" {
		data, err := json.MarshalIndent([]*record.Container{pv.Record}, "", "    ")
		if err != nil {
			return fail(err)
		}
		fmt.Fprintln(stdout, string(data))
	} else {
		judgeArgs = append(judgeArgs, "--dry-run", "--format", p.Format)
		if !slices.Contains([]string{"text", "json", "sarif"}, p.Format) {
			return fail(fmt.Errorf("--format %q: want text, json, sarif or inspect", p.Format))
		}
		if p.Policy == "" && p.FailOnVuln == "" {
			judgeArgs = append(judgeArgs, "--every-rule") // as ward check without --policy
		}
	}
	if p.Format == "inspect" && name == Default && gate == "" {
		return nil
	}
	out := stdout
	if p.Format == "inspect" {
		out = io.Discard // the record is printed; only the verdict counts
	}
	return request.Judge(l, pv, judgeArgs, out, stderr)
}

// Preview is the spec and record req would create under l; nothing is
// created.
func Preview(l rootdir.Layout, req engine.CreateRequest) (*record.Preview, error) {
	e, err := open.Engine(l, "")
	if err != nil {
		return nil, err
	}
	return e.Preview(req)
}
