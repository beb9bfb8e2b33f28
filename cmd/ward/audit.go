package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/sibling"
)

// The audit verbs (check, sbom, scan, db) live in ward-audit, a binary
// shipped beside ward: the parsers they link (compose-go and its JSON
// schemas, Kubernetes' API types, CycloneDX) cost milliseconds of package
// initialization and page faults at every start of a binary that links
// them, which `ward run` would pay for nothing. ward passes the verb and
// its arguments on unparsed, replacing itself with ward-audit, so exit
// statuses, signals and the terminal are ward-audit's own.

// newAuditCommand is verb, run by ward-audit.
func newAuditCommand(verb, short string) *cobra.Command {
	return newCompanionCommand("ward-audit", verb, short)
}

// newCompanionCommand is verb, run by the companion binary bin (ward-audit,
// or ward-trust for the trust verbs).
func newCompanionCommand(bin, verb, short string) *cobra.Command {
	cmd := &cobra.Command{
		Use:                verb,
		Short:              short,
		DisableFlagParsing: true, // the companion parses them, --help included
		RunE: func(_ *cobra.Command, args []string) error {
			return sibling.Exec(bin, verb, args)
		},
	}
	// `ward help VERB` shows the verb's own help.
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		if err := sibling.Exec(bin, verb, []string{"--help"}); err != nil {
			fmt.Fprintln(c.ErrOrStderr(), "ward: "+err.Error())
		}
	})
	return cmd
}
