package main

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/bundle"
	"github.com/wardproject/ward/internal/container"
	"github.com/wardproject/ward/internal/jsonout"
)

func newStateCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "state ID",
		Short: "Print a container's state as OCI state JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			st, err := container.Load(g.root, args[0])
			if err != nil {
				return err
			}
			return jsonout.Write(os.Stdout, st.OCI())
		},
	}
}

func newListCommand(g *globals) *cobra.Command {
	var format string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List containers",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			states, err := container.List(g.root)
			if err != nil {
				return err
			}
			out := make([]container.OCIState, 0, len(states))
			for _, st := range states {
				out = append(out, st.OCI())
			}
			switch {
			case quiet:
				for _, s := range out {
					fmt.Println(s.ID)
				}
				return nil
			case format == "json":
				return jsonout.Write(os.Stdout, out)
			case format == "table":
				w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
				fmt.Fprintln(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER")
				for _, s := range out {
					fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
				}
				return w.Flush()
			}
			return fmt.Errorf("invalid format %q: want table or json", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table or json")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print only the IDs")
	return cmd
}

func newSpecCommand() *cobra.Command {
	var dir string
	var rootless bool
	cmd := &cobra.Command{
		Use:   "spec",
		Short: "Write an example config.json into the bundle directory",
		Args:  cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			return bundle.WriteExample(dir, rootless)
		},
	}
	cmd.Flags().StringVarP(&dir, "bundle", "b", ".", "bundle directory to write config.json into")
	cmd.Flags().BoolVar(&rootless, "rootless", false, "an example for a container run by an unprivileged user")
	return cmd
}
