package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
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
	cmd := &cobra.Command{
		Use:                verb,
		Short:              short,
		DisableFlagParsing: true, // ward-audit parses them, --help included
		RunE: func(_ *cobra.Command, args []string) error {
			return execAudit(verb, args)
		},
	}
	// `ward help VERB` shows the verb's own help.
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) {
		if err := execAudit(verb, []string{"--help"}); err != nil {
			fmt.Fprintln(c.ErrOrStderr(), "ward: "+err.Error())
		}
	})
	return cmd
}

// execAudit replaces ward with `ward-audit VERB ARGS...`; it returns only
// when that cannot be done.
func execAudit(verb string, args []string) error {
	bin, err := findAudit()
	if err != nil {
		return fmt.Errorf("%s: %w", verb, err)
	}
	argv := append([]string{bin, verb}, args...)
	if err := syscall.Exec(bin, argv, os.Environ()); err != nil {
		return fmt.Errorf("%s: run %s: %w", verb, bin, err)
	}
	return nil // not reached: Exec replaced ward
}

// findAudit finds ward-audit beside ward's own binary, then on PATH.
func findAudit() (string, error) {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "ward-audit")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	p, err := exec.LookPath("ward-audit")
	if err != nil {
		return "", fmt.Errorf("ward-audit is neither beside ward nor on PATH (make build puts it in bin/)")
	}
	return filepath.Abs(p)
}
