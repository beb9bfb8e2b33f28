package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/scan/verbs"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

func newDBCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the offline vulnerability database (OSV records)",
		Long: `Manage the vulnerability database that ward scan reads. It lives in
ward's root ($WARD_ROOT, default /var/lib/ward) and needs no network.`,
	}
	cmd.AddCommand(newDBImportCommand(), newDBUpdateCommand(), newDBStatusCommand())
	return cmd
}

func newDBImportCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE|DIR...",
		Short: "Import OSV JSON records, or osv.dev all.zip dumps, from files or directories",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return verbs.DBImport(cmd.OutOrStdout(), cli.Layout(), args)
		},
	}
}

func newDBUpdateCommand() *cobra.Command {
	var o verbs.DBUpdateOptions
	cmd := &cobra.Command{
		Use:   "update --from URL",
		Short: "Download ECOSYSTEM/all.zip dumps from a mirror of osv.dev's bucket and import them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return verbs.DBUpdate(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), cli.Layout(), o)
		},
	}
	cmd.Flags().StringVar(&o.From, "from", "", "mirror base URL (ECOSYSTEM/all.zip below it), or the URL of one .zip")
	cmd.Flags().StringSliceVar(&o.Ecosystems, "ecosystem", vulndb.DefaultEcosystems, "OSV ecosystems to download")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", 10*time.Minute, "give up after this long")
	return cmd
}

func newDBStatusCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the vulnerability database holds and how old it is",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return verbs.DBStatus(cmd.OutOrStdout(), cmd.ErrOrStderr(), cli.Layout(), format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}
