package main

import "github.com/spf13/cobra"

// placeholder until the verb lands; owned by its feature's author.
func newCheckCommand() *cobra.Command {
	return &cobra.Command{Use: "check", Hidden: true, RunE: func(*cobra.Command, []string) error { return errNotYet("check") }}
}
