//go:build mangen

package main

import (
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/manpages"
	"github.com/wardproject/ward/internal/version"
)

// With the mangen tag (make man), ward has a hidden verb writing its
// man pages; the shipped binary has neither the verb nor cobra/doc.
func init() {
	rootHooks = append(rootHooks, func(root *cobra.Command) {
		root.AddCommand(&cobra.Command{
			Use:    "__man DIR",
			Hidden: true,
			Args:   cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, args []string) error {
				return manpages.Generate(root, args[0], version.Get().Version)
			},
		})
	})
}
