//go:build !mangen

package main

import "github.com/spf13/cobra"

// newManCommand is no command: without the mangen tag ward has no man
// page verb, and links no cobra/doc (manpages.go has the verb).
func newManCommand(*cobra.Command) *cobra.Command { return nil }
