package main

import "github.com/spf13/cobra"

// placeholder until the verb lands; owned by its feature's author.
func newDBCommand() *cobra.Command {
	return &cobra.Command{Use: "db", Hidden: true, RunE: func(*cobra.Command, []string) error { return errNotYet("db") }}
}
