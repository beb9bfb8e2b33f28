package main

import (
	"context"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/events"
	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/format"
)

func newEventsCommand() *cobra.Command {
	var since, until, tmplText string
	var filters []string
	cmd := &cobra.Command{
		Use:   "events [--since TIME] [--until TIME] [--filter KEY=VALUE] [--format TEMPLATE|json]",
		Short: "Show what happened to containers, images and volumes, from the journal under ward's root",
		Long: `Show events as docker events does. Without --since, only events from now on;
without --until, follow until interrupted. TIME is a duration before now (10m),
an RFC 3339 time or date, or Unix seconds.`,
		Args: cobra.NoArgs,
		RunE: cli.ExitOne(func(_ *cobra.Command, _ []string) error {
			args, err := filter.Parse(filters, events.Filters...)
			if err != nil {
				return err
			}
			from, to := time.Now(), time.Time{}
			if since != "" {
				if from, err = filter.ParseUntil(since); err != nil {
					return err
				}
			}
			if until != "" {
				if to, err = filter.ParseUntil(until); err != nil {
					return err
				}
			}
			var w *format.Writer
			if tmplText != "" {
				if w, err = format.New(os.Stdout, tmplText, nil); err != nil {
					return err
				}
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, unix.SIGTERM)
			defer stop()
			return events.Read(ctx, cli.WardRoot(), from, to, until == "", func(e events.Event) error {
				if !events.Match(args, e) {
					return nil
				}
				if w != nil {
					return w.Write(e)
				}
				_, err := os.Stdout.WriteString(e.Text() + "\n")
				return err
			})
		}),
	}
	cmd.Flags().StringVar(&since, "since", "", "show events since this time")
	cmd.Flags().StringVar(&until, "until", "", "stop at this time (default: follow)")
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, "filter: container, event, image, label, type, volume, network")
	cmd.Flags().StringVar(&tmplText, "format", "", "a Go template ({{.Action}} {{.Actor.ID}}...), or json")
	return cmd
}
