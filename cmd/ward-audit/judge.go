package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/judge"
	"github.com/wardproject/ward/internal/policy"
)

// newJudgeCommand is ward run's policy check (internal/judge has the
// protocol); hidden, ward runs it.
func newJudgeCommand() *cobra.Command {
	var f judge.Options
	cmd := &cobra.Command{
		Use:    "judge-run",
		Short:  "Judge the container record on stdin against a run policy (used by ward run)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return judge.Run(cli.Layout(), cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Policy, "policy", policy.DefaultProfile, "run policy")
	fl.StringVar(&f.FailOnVuln, "fail-on-vuln", "", "refuse images with vulnerabilities at or above this severity")
	fl.BoolVar(&f.AllowUncovered, "allow-uncovered", false, "let --fail-on-vuln pass an image whose scan has coverage gaps")
	fl.BoolVar(&f.DryRun, "dry-run", false, "print ward check's report of the record")
	fl.BoolVar(&f.EveryRule, "every-rule", false, "with --dry-run: report every rule, not only the policy's")
	fl.StringVar(&f.Format, "format", "text", "--dry-run report format: "+strings.Join(audit.Formats, ", "))
	return cmd
}
