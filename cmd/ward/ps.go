package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
	"io"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
)

func newInspectCommand() *cobra.Command {
	var tmplText string
	cmd := &cobra.Command{
		Use:   "inspect [-f FORMAT] CONTAINER...",
		Short: "Print containers' records as a JSON array, as docker inspect does, or each through a Go template",
		Args:  cobra.MinimumNArgs(1),
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
			tmpl, err := format.TemplateOf(tmplText)
			if err != nil {
				return err
			}
			records, err := record.OpenRecords(cli.Layout().Containers())
			if err != nil {
				return err
			}
			out := []*record.Container{}
			var errs []error
			for _, what := range args {
				c, err := records.Find(what)
				if err == nil {
					c, err = open.Truthful(cli.Layout(), records, c) // a dead supervisor's record brought up to date
				}
				if err != nil || c == nil {
					errs = append(errs, fmt.Errorf("no such object: %s", what))
					continue
				}
				if err := engine.RefreshNetworkSettings(wardRoot(), c); err != nil {
					errs = append(errs, err)
				}
				out = append(out, c)
			}
			return printInspected(os.Stdout, tmpl, out, errs)
		}),
	}
	cmd.Flags().StringVarP(&tmplText, "format", "f", "", "print each object through a Go template (Docker's functions), or json")
	return cmd
}

// printInspected prints inspected objects as docker inspect does: one
// JSON array, or each object through the template; errs (objects not
// found) are reported after what was found is printed.
func printInspected[T any](out io.Writer, tmpl *template.Template, objs []T, errs []error) error {
	if tmpl != nil {
		for _, o := range objs {
			if err := format.Inspect(out, tmpl, o); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	if objs == nil {
		objs = []T{}
	}
	data, err := json.MarshalIndent(objs, "", "    ")
	if err != nil {
		return err
	}
	fmt.Fprintln(out, string(data))
	return errors.Join(errs...)
}

func newPsCommand() *cobra.Command {
	var all, quiet, noTrunc, size, latest bool
	var last int
	var tmplText string
	var filters []string
	cmd := &cobra.Command{
		Use:   "ps [-a] [-q] [-s] [--no-trunc] [--filter KEY=VALUE] [--format TEMPLATE|json]",
		Short: "List containers",
		Args:  cobra.NoArgs,
		RunE: containerRunE(func(_ *cobra.Command, _ []string) error {
			args, err := filter.Parse(filters, listing.ContainerFilters...)
			if err != nil {
				return err
			}
			records, err := record.OpenRecords(cli.Layout().Containers())
			if err != nil {
				return err
			}
			all0, err := records.List()
			if err != nil {
				return err
			}
			// The status shown is the true one: a record its killed
			// supervisor left "running" is brought up to date (and a --rm
			// container that ended unwatched is gone).
			var list []*record.Container
			for _, c := range all0 {
				if c, err = open.Truthful(cli.Layout(), records, c); err != nil {
					return err
				}
				if c != nil {
					list = append(list, c)
				}
			}
			f, err := listing.NewContainerFilter(args, list, imageIDOf)
			if err != nil {
				return err
			}
			if latest {
				last = 1
			}
			if last > 0 {
				all = true // docker: -n and -l show stopped containers too
			}
			if tmplText == "" {
				tmplText = listing.DefaultContainerFormat
				if size {
					tmplText += "\t{{.Size}}"
				}
			}
			if quiet {
				tmplText = "{{.ID}}"
			}
			w, err := format.New(os.Stdout, tmplText, listing.ContainerHeaders)
			if err != nil {
				return err
			}
			o := listing.RowOptions{NoTrunc: noTrunc, Size: size || strings.Contains(tmplText, ".Size"), Root: wardRoot(), Now: time.Now()}
			if o.Size {
				o.ImageSize = imageSizes()
			}
			for _, c := range list {
				if !all && !f.ImpliesAll() && c.State.Status != record.StatusRunning {
					continue
				}
				if !f.Match(c) {
					continue
				}
				if err := w.Write(listing.NewContainerRow(c, o)); err != nil {
					return err
				}
				if last > 0 {
					if last--; last == 0 {
						break
					}
				}
			}
			return w.Flush()
		}),
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "show stopped containers too")
	fl.BoolVarP(&quiet, "quiet", "q", false, "print IDs only")
	fl.BoolVar(&noTrunc, "no-trunc", false, "do not truncate IDs and commands")
	fl.BoolVarP(&size, "size", "s", false, "show the writable layer's size")
	fl.BoolVarP(&latest, "latest", "l", false, "show the latest created container")
	fl.IntVarP(&last, "last", "n", -1, "show the n last created containers")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "filter: id, name, label, status, exited, ancestor, network, volume, before, since, health")
	fl.StringVar(&tmplText, "format", "", "a Go template (Docker's fields and functions, table), or json")
	return cmd
}

// imageIDOf resolves an image reference to its ID, for ps's ancestor
// filter.
func imageIDOf(ref string) (string, error) {
	s, err := open.Images(cli.Layout())
	if err != nil {
		return "", err
	}
	img, err := s.Get(ref)
	if err != nil {
		return "", err
	}
	return img.ID.String(), nil
}

// imageSizes reports images' sizes by ID, for ps -s (0 for an image
// the store no longer has).
func imageSizes() func(string) int64 {
	sizes := map[string]int64{}
	if s, err := open.Images(cli.Layout()); err == nil {
		if imgs, err := s.List(); err == nil {
			for _, img := range imgs {
				sizes[img.ID.String()] = img.Size
			}
		}
	}
	return func(id string) int64 { return sizes[id] }
}
