package main

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/stats"
)

func newStatsCommand() *cobra.Command {
	var all, noStream, noTrunc bool
	var tmplText string
	cmd := &cobra.Command{
		Use:   "stats [-a] [--no-stream] [--format TEMPLATE|json] [CONTAINER...]",
		Short: "Show containers' CPU, memory, network, block I/O and process counts",
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
			if tmplText == "" {
				tmplText = listing.DefaultStatsFormat
			}
			records, err := record.OpenRecords(cli.Layout().Containers())
			if err != nil {
				return err
			}
			// Which containers: those named, else the running ones (all with -a).
			pick := func() ([]*record.Container, error) {
				if len(args) > 0 {
					var out []*record.Container
					for _, a := range args {
						c, err := records.Find(a)
						if err != nil {
							return nil, err
						}
						out = append(out, c)
					}
					return out, nil
				}
				list, err := records.List()
				if err != nil {
					return nil, err
				}
				var out []*record.Container
				for _, c := range list {
					if all || c.State.Status == record.StatusRunning {
						out = append(out, c)
					}
				}
				return out, nil
			}
			sample := func(cs []*record.Container) map[string]*stats.Sample {
				out := map[string]*stats.Sample{}
				for _, c := range cs {
					if c.State.Status == record.StatusRunning && c.State.Pid > 0 {
						if s, err := stats.Read(c.State.Pid); err == nil {
							out[c.ID] = &s
						}
					}
				}
				return out
			}
			named := map[string]string{}
			for _, a := range args {
				if c, err := records.Find(a); err == nil {
					named[c.ID] = a
				}
			}
			prev := map[string]*stats.Sample{}
			if cs, err := pick(); err == nil {
				prev = sample(cs)
			}
			for {
				// Docker's CPU figure is the use over the last second.
				time.Sleep(time.Second)
				cs, err := pick()
				if err != nil {
					return err
				}
				cur := sample(cs)
				var buf bytes.Buffer
				w, err := format.New(&buf, tmplText, listing.StatsHeaders)
				if err != nil {
					return err
				}
				for _, c := range cs {
					id := c.ID[:12]
					if noTrunc {
						id = c.ID
					}
					container := id // .Container: what the user named, else the ID
					if a, ok := named[c.ID]; ok {
						container = a
					}
					if err := w.Write(listing.NewStatsRow(container, id, c.ShortName(), prev[c.ID], cur[c.ID])); err != nil {
						return err
					}
				}
				if err := w.Flush(); err != nil {
					return err
				}
				if noStream {
					_, err := os.Stdout.Write(buf.Bytes())
					return err
				}
				fmt.Print("\033[2J\033[H") // as docker stats redraws its table
				os.Stdout.Write(buf.Bytes())
				prev = cur
			}
		}),
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "show every container, not only running ones")
	cmd.Flags().BoolVar(&noStream, "no-stream", false, "print one reading and exit")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "show full IDs")
	cmd.Flags().StringVar(&tmplText, "format", "", "a Go template (Docker's fields and functions, table), or json")
	return cmd
}
