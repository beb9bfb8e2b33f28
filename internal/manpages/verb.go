//go:build mangen

package manpages

import "github.com/spf13/cobra"

// AddVerb gives root the hidden verb `__man DIR` that writes its man
// pages (Generate). Only the mangen build (make man) has it; the shipped
// binaries link neither the verb nor cobra/doc (verb_off.go).
func AddVerb(root *cobra.Command, version string) {
	root.AddCommand(&cobra.Command{
		Use:    "__man DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return Generate(root, args[0], version)
		},
	})
}
