package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/containerview"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/events"
	"github.com/wardproject/ward/internal/image/change"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/prune"
	"github.com/wardproject/ward/internal/record"
)

func newWaitCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "wait CONTAINER...",
		Short: "Block until containers stop, then print their exit codes",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			var errs []error
			for _, what := range args {
				e, c, err := open.Container(cli.Layout(), what)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				code, err := e.Wait(c.ID)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Println(code)
			}
			return errors.Join(errs...)
		}),
	}
}

func newPortCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "port CONTAINER [PRIVATE_PORT[/PROTO]]",
		Short: "List a container's published ports",
		Args:  cobra.RangeArgs(1, 2),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			_, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return err
			}
			lines, err := containerview.Ports(c, args)
			if err != nil {
				return err
			}
			for _, l := range lines {
				fmt.Println(l)
			}
			return nil
		}),
	}
}

func newExportCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "export [-o FILE] CONTAINER",
		Short: "Write a container's root filesystem as a tar archive (volumes not included)",
		Args:  cobra.ExactArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			e, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return err
			}
			if output == "" && term.IsTerminal(int(os.Stdout.Fd())) {
				return fmt.Errorf("cowardly refusing to save to a terminal. Use the -o flag or redirect")
			}
			return e.Export(c, args[0], output, os.Stdout)
		}),
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func newTopCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top CONTAINER [ps OPTIONS]",
		Short: "List a running container's processes (ps -ef, or the ps options given)",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			e, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return err
			}
			titles, procs, err := e.Top(context.Background(), c, args[1:])
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(os.Stdout, 20, 1, 3, ' ', 0) // docker top's layout
			fmt.Fprintln(tw, strings.Join(titles, "\t"))
			for _, p := range procs {
				fmt.Fprintln(tw, strings.Join(p, "\t"))
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// newContainerPruneCommand is `ward container prune`: every container
// not running is removed.
func newContainerPruneCommand() *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [-f] [--filter label=...|until=...]",
		Short: "Remove every stopped container",
		Args:  cobra.NoArgs,
		RunE: cli.ExitOne(func(cmd *cobra.Command, _ []string) error {
			f, err := prune.ParseFilters(filters, "label", "label!", "until")
			if err != nil {
				return err
			}
			if !force && !cli.Confirm(cmd.InOrStdin(), os.Stderr, "WARNING! This will remove all stopped containers.") {
				return nil
			}
			rep, err := prune.Containers(cli.Layout(), f)
			if err != nil {
				return err
			}
			rep.Print(os.Stdout, "Deleted Containers:", true)
			return errors.Join(rep.Errors...)
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "filter: label=KEY[=VALUE], label!=..., until=TIMESTAMP|DURATION")
	return cmd
}

func newDiffCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "diff CONTAINER",
		Short: "List the files a container added (A), changed (C) or deleted (D)",
		Args:  cobra.ExactArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			e, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return err
			}
			changes, err := e.Diff(c)
			if err != nil {
				return err
			}
			for _, ch := range changes {
				fmt.Println(ch.Kind, ch.Path)
			}
			return nil
		}),
	}
}

func newRenameCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rename CONTAINER NEW_NAME",
		Short: "Rename a container",
		Args:  cobra.ExactArgs(2),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			records, err := record.OpenRecords(cli.Layout().Containers())
			if err != nil {
				return err
			}
			c, err := records.Find(args[0])
			if err != nil {
				return err
			}
			if err := records.Rename(c.ID, args[1]); err != nil {
				return err
			}
			events.Append(cli.WardRoot(), "container", "rename", c.ID, map[string]string{
				"image": c.Config.Image, "name": strings.TrimPrefix(args[1], "/"), "oldName": c.Name})
			return nil
		}),
	}
}

func newPauseCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "pause CONTAINER...",
		Short: "Freeze every process of running containers",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			return open.Each(cli.Layout(), args, os.Stdout, func(e *engine.Engine, c *record.Container) error {
				return e.Pause(context.Background(), c)
			})
		}),
	}
}

func newUnpauseCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "unpause CONTAINER...",
		Short: "Thaw paused containers",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			return open.Each(cli.Layout(), args, os.Stdout, func(e *engine.Engine, c *record.Container) error {
				return e.Unpause(context.Background(), c)
			})
		}),
	}
}

func newCommitCommand() *cobra.Command {
	var o engine.CommitOptions
	var changes []string
	cmd := &cobra.Command{
		Use:   "commit [-a AUTHOR] [-m MESSAGE] [-c CHANGE] [-p] CONTAINER [REPOSITORY[:TAG]]",
		Short: "Make an image of a container's changes",
		Args:  cobra.RangeArgs(1, 2),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			if len(args) == 2 {
				o.Ref = args[1]
			}
			o.Change = func(c *v1.Config) error {
				for _, ch := range changes {
					if err := change.Apply(c, ch); err != nil {
						return err
					}
				}
				return nil
			}
			e, c, err := open.Container(cli.Layout(), args[0])
			if err != nil {
				return err
			}
			img, err := e.Commit(context.Background(), c, o)
			if err != nil {
				return err
			}
			fmt.Println(img.ID)
			return nil
		}),
	}
	cmd.Flags().StringVarP(&o.Author, "author", "a", "", "the image's author")
	cmd.Flags().StringVarP(&o.Message, "message", "m", "", "a commit message")
	cmd.Flags().StringArrayVarP(&changes, "change", "c", nil, "a Dockerfile instruction (CMD, ENTRYPOINT, ENV, USER, WORKDIR, EXPOSE, LABEL)")
	cmd.Flags().BoolVarP(&o.Pause, "pause", "p", true, "pause a running container while it is committed")
	return cmd
}
