package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/volume"
)

// newVolumeCommand is `ward volume` and its verbs, as docker's.
func newVolumeCommand() *cobra.Command {
	group := &cobra.Command{Use: "volume", Short: "Manage named volumes"}
	group.AddCommand(newVolumeCreateCommand(), newVolumeLsCommand(), newVolumeInspectCommand(),
		newVolumeRmCommand(), newVolumePruneCommand())
	return group
}

func parseLabels(list []string) map[string]string {
	if len(list) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, l := range list {
		k, v, _ := strings.Cut(l, "=")
		out[k] = v
	}
	return out
}

func newVolumeCreateCommand() *cobra.Command {
	var labels, opts []string
	var driver string
	cmd := &cobra.Command{
		Use:   "create [--label KEY=VALUE] [NAME]",
		Short: "Create a volume (an existing name is not an error, as in Docker)",
		Args:  cobra.MaximumNArgs(1),
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
			if driver != "local" {
				return fmt.Errorf("volume driver %q is not supported (only local)", driver)
			}
			if len(opts) > 0 {
				return fmt.Errorf("--opt is not supported by ward's local volumes")
			}
			vols, err := open.Volumes(cli.Layout())
			if err != nil {
				return err
			}
			name, anonymous := "", len(args) == 0
			if anonymous {
				name = volume.NewAnonymousName()
			} else {
				name = args[0]
			}
			v, created, err := vols.CreateExplicit(name, parseLabels(labels), anonymous)
			if err != nil {
				return err
			}
			if created {
				engine.VolumeEvent(wardRoot(), "create", v.Name, nil)
			}
			fmt.Println(v.Name)
			return nil
		}),
	}
	cmd.Flags().StringArrayVarP(&labels, "label", "l", nil, "set a label (KEY=VALUE)")
	cmd.Flags().StringVarP(&driver, "driver", "d", "local", "volume driver (only local)")
	cmd.Flags().StringArrayVarP(&opts, "opt", "o", nil, "driver options (not supported)")
	return cmd
}

func newVolumeLsCommand() *cobra.Command {
	var quiet bool
	var tmplText string
	var filters []string
	cmd := &cobra.Command{
		Use:     "ls [-q] [--filter KEY=VALUE] [--format TEMPLATE|json]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Args:    cobra.NoArgs,
		RunE: containerRunE(func(_ *cobra.Command, _ []string) error {
			args, err := filter.Parse(filters, listing.VolumeFilters...)
			if err != nil {
				return err
			}
			vols, err := open.Volumes(cli.Layout())
			if err != nil {
				return err
			}
			list, err := vols.List()
			if err != nil {
				return err
			}
			users, err := open.VolumeUsers(cli.Layout())
			if err != nil {
				return err
			}
			if tmplText == "" {
				tmplText = listing.DefaultVolumeFormat
			}
			if quiet {
				tmplText = "{{.Name}}"
			}
			w, err := format.New(os.Stdout, tmplText, listing.VolumeHeaders)
			if err != nil {
				return err
			}
			for _, v := range list {
				ok, err := listing.VolumeMatch(args, v, len(users[v.Name]) > 0)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				if err := w.Write(listing.NewVolumeRow(v, len(users[v.Name]))); err != nil {
					return err
				}
			}
			return w.Flush()
		}),
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print names only")
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, "filter: dangling, driver, label, name")
	cmd.Flags().StringVar(&tmplText, "format", "", "a Go template (Docker's fields and functions, table), or json")
	return cmd
}

func newVolumeInspectCommand() *cobra.Command {
	var tmplText string
	cmd := &cobra.Command{
		Use:   "inspect [-f FORMAT] VOLUME...",
		Short: "Print volumes as a JSON array, as docker volume inspect does",
		Args:  cobra.MinimumNArgs(1),
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
			tmpl, err := format.TemplateOf(tmplText)
			if err != nil {
				return err
			}
			vols, err := open.Volumes(cli.Layout())
			if err != nil {
				return err
			}
			var out []*volume.Volume
			var errs []error
			for _, name := range args {
				v, err := vols.Get(name)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				out = append(out, v)
			}
			return format.PrintInspected(os.Stdout, tmpl, out, errs)
		}),
	}
	cmd.Flags().StringVarP(&tmplText, "format", "f", "", "print each volume through a Go template (Docker's functions), or json")
	return cmd
}

func newVolumeRmCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "rm [-f] VOLUME...",
		Aliases: []string{"remove"},
		Short:   "Remove volumes; one a container uses is refused",
		Args:    cobra.MinimumNArgs(1),
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
			vols, err := open.Volumes(cli.Layout())
			if err != nil {
				return err
			}
			users, err := open.VolumeUsers(cli.Layout())
			if err != nil {
				return err
			}
			var errs []error
			for _, name := range args {
				err := vols.Remove(name, users[name])
				if force && errors.Is(err, volume.ErrNotFound) {
					continue
				}
				if err != nil {
					errs = append(errs, err)
					continue
				}
				engine.VolumeEvent(wardRoot(), "destroy", name, nil)
				fmt.Println(name)
			}
			return errors.Join(errs...)
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "no error for volumes that do not exist")
	return cmd
}

func newVolumePruneCommand() *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [-f] [--filter label=...]",
		Short: "Remove every volume no container uses",
		Args:  cobra.NoArgs,
		RunE: containerRunE(func(cmd *cobra.Command, _ []string) error {
			args, err := filter.Parse(filters, "label", "label!")
			if err != nil {
				return err
			}
			if !force && !confirm(cmd.InOrStdin(), "WARNING! This will remove all local volumes not used by at least one container.") {
				return nil
			}
			vols, err := open.Volumes(cli.Layout())
			if err != nil {
				return err
			}
			list, err := vols.List()
			if err != nil {
				return err
			}
			users, err := open.VolumeUsers(cli.Layout())
			if err != nil {
				return err
			}
			var deleted []string
			var reclaimed int64
			for _, v := range list {
				if len(users[v.Name]) > 0 || !args.Labels("label", v.Labels) || !notLabels(args["label!"], v.Labels) {
					continue
				}
				size := vols.Size(v.Name)
				if err := vols.Remove(v.Name, nil); err != nil {
					return err
				}
				engine.VolumeEvent(wardRoot(), "destroy", v.Name, nil)
				deleted = append(deleted, v.Name)
				reclaimed += size
			}
			if len(deleted) > 0 {
				fmt.Println("Deleted Volumes:")
				for _, d := range deleted {
					fmt.Println(d)
				}
				fmt.Println()
			}
			fmt.Printf("Total reclaimed space: %s\n", units.HumanSize(float64(reclaimed)))
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "filter: label=KEY[=VALUE], label!=KEY[=VALUE]")
	return cmd
}

// notLabels applies prune's label! filter: no volume carrying one of
// the labels is pruned.
func notLabels(list []string, labels map[string]string) bool {
	for _, l := range list {
		k, v, hasValue := strings.Cut(l, "=")
		if got, ok := labels[k]; ok && (!hasValue || got == v) {
			return false
		}
	}
	return true
}

// confirm asks Docker's prune question on the terminal.
func confirm(in io.Reader, warning string) bool {
	fmt.Fprintf(os.Stderr, "%s\nAre you sure you want to continue? [y/N] ", warning)
	line, _ := bufio.NewReader(in).ReadString('\n')
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}
