package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/scan/vulndb"
)

// wardRoot is ward's state directory: WARD_ROOT (which the global --root
// flag sets), defaulting to /var/lib/ward.
func wardRoot() string { return cli.WardRoot() }

// vulnDBDir is where the vulnerability database lives inside ward's root.
func vulnDBDir() string { return cli.Layout().VulnDB() }

// dbMaxAge is the age past which the database warns that it is stale; an
// old database still works, it only may miss recent advisories.
const dbMaxAge = 7 * 24 * time.Hour

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
			db, err := vulndb.Open(vulnDBDir())
			if err != nil {
				return err
			}
			defer db.Close()
			for _, p := range args {
				info, err := db.Import(p, time.Now())
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "imported %d records from %s\n", info.Records, info.Name)
			}
			return nil
		},
	}
}

func newDBUpdateCommand() *cobra.Command {
	var from string
	var ecosystems []string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "update --from URL",
		Short: "Download ECOSYSTEM/all.zip dumps from a mirror of osv.dev's bucket and import them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" {
				return fmt.Errorf("db update: --from URL is required (ward downloads only from a mirror you name)")
			}
			db, err := vulndb.Open(vulnDBDir())
			if err != nil {
				return err
			}
			defer db.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			results, err := db.Update(ctx, http.DefaultClient, from, ecosystems, time.Now())
			for _, r := range results {
				switch {
				case r.NotFound:
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s: not on the mirror\n", r.URL)
				case r.Unchanged:
					fmt.Fprintf(cmd.OutOrStdout(), "%s: unchanged\n", r.URL)
				case r.Records > 0:
					fmt.Fprintf(cmd.OutOrStdout(), "imported %d records from %s\n", r.Records, r.URL)
				}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "mirror base URL (ECOSYSTEM/all.zip below it), or the URL of one .zip")
	cmd.Flags().StringSliceVar(&ecosystems, "ecosystem", vulndb.DefaultEcosystems, "OSV ecosystems to download")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "give up after this long")
	return cmd
}

func newDBStatusCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what the vulnerability database holds and how old it is",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := vulndb.OpenReadOnly(vulnDBDir())
			if err != nil {
				return err
			}
			defer db.Close()
			st, err := db.Status()
			if err != nil {
				return err
			}
			warnIfOld(cmd.ErrOrStderr(), st, time.Now())
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			return writeDBStatus(cmd.OutOrStdout(), st, time.Now())
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

// warnIfOld prints a warning when the database is older than dbMaxAge.
func warnIfOld(w io.Writer, st vulndb.Status, now time.Time) {
	if age := st.Age(now); age > dbMaxAge {
		fmt.Fprintf(w, "warning: vulnerability database last updated %s ago (%s); run `ward db update`\n",
			age.Round(time.Hour), st.Updated.Format(time.RFC3339))
	}
}

func writeDBStatus(w io.Writer, st vulndb.Status, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "database:\t%s\n", st.Path)
	fmt.Fprintf(tw, "records:\t%d\n", st.Records)
	if !st.Updated.IsZero() {
		fmt.Fprintf(tw, "updated:\t%s (%s ago)\n", st.Updated.Format(time.RFC3339), st.Age(now).Round(time.Minute))
	}
	if !st.Newest.IsZero() {
		fmt.Fprintf(tw, "newest record:\t%s\n", st.Newest.Format(time.RFC3339))
	}
	ecos := make([]string, 0, len(st.Ecosystems))
	for e := range st.Ecosystems {
		ecos = append(ecos, e)
	}
	sort.Strings(ecos)
	for _, e := range ecos {
		fmt.Fprintf(tw, "ecosystem %s:\t%d package entries\n", e, st.Ecosystems[e])
	}
	for _, s := range st.Sources {
		fmt.Fprintf(tw, "source:\t%s (%d records, %s)\n", s.Name, s.Records, s.ImportedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}
