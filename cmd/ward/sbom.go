package main

import "github.com/spf13/cobra"

// placeholder until the verb lands; owned by its feature's author.
func newSBOMCommand() *cobra.Command {
	return &cobra.Command{Use: "sbom", Hidden: true, RunE: func(*cobra.Command, []string) error { return errNotYet("sbom") }}
}
