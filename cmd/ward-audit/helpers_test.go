package main

import (
	"slices"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
)

// What the tests of this package call by the names the verbs' helpers
// had before they moved to internal packages.

// wardRoot is ward's state directory in the tests: WARD_ROOT, which each
// test sets to a directory of its own.
func wardRoot() string { return cli.WardRoot() }

// contains reports whether xs holds x.
func contains(xs []string, x string) bool { return slices.Contains(xs, x) }

// withInputErrors gives a verb the audit verbs' exit statuses, as main does.
func withInputErrors(cmd *cobra.Command) *cobra.Command { return cli.InputErrors(cmd, 2) }
