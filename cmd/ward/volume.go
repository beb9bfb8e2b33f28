package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/prune"
	"github.com/wardproject/ward/internal/volume"
)

// newVolumeCommand is `ward volume` and its verbs, as docker's.
func newVolumeCommand() *cobra.Command {
	group := &cobra.Command{Use: "volume", Short: "Manage named volumes"}
	group.AddCommand(newVolumeCreateCommand(), newVolumeLsCommand(), newVolumeInspectCommand(),
		newVolumeRmCommand(), newVolumePruneCommand())
	return group
}

func newVolumeCreateCommand() *cobra.Command {
	var labels, opts []string
	var driver string
	cmd := &cobra.Command{
		Use:   "create [--label KEY=VALUE] [NAME]",
		Short: "Create a volume (an existing name is not an error, as in Docker)",
		Args:  cobra.MaximumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
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
			v, created, err := vols.CreateExplicit(name, volume.ParseLabels(labels), anonymous)
			if err != nil {
				return err
			}
			if created {
				engine.VolumeEvent(cli.WardRoot(), "create", v.Name, nil)
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
		RunE: cli.ExitOne(func(_ *cobra.Command, _ []string) error {
			return listing.Volumes(cli.Layout(), os.Stdout, listing.VolumeListOptions{Quiet: quiet, Format: tmplText, Filters: filters})
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
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
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
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
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
				engine.VolumeEvent(cli.WardRoot(), "destroy", name, nil)
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
		RunE: cli.ExitOne(func(cmd *cobra.Command, _ []string) error {
			f, err := prune.ParseFilters(filters, "label", "label!")
			if err != nil {
				return err
			}
			if !force && !cli.Confirm(cmd.InOrStdin(), os.Stderr, "WARNING! This will remove all local volumes not used by at least one container.") {
				return nil
			}
			rep, err := prune.Volumes(cli.Layout(), f)
			if err != nil {
				return err
			}
			rep.Print(os.Stdout, "Deleted Volumes:", true)
			return nil
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "filter: label=KEY[=VALUE], label!=KEY[=VALUE]")
	return cmd
}
