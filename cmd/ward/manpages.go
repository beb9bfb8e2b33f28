//go:build mangen

package main

import (
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/manpages"
	"github.com/wardproject/ward/internal/version"
)

// newManCommand is the hidden verb writing ward's man pages, in a build
// with the mangen tag (make man); the shipped binary has neither the
// verb nor cobra/doc (manpages_off.go).
func newManCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:    "__man DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return manpages.Generate(root, args[0], version.Get().Version)
		},
	}
}
