package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/networkview"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/prune"
)

// newNetworkCommand is `ward network` and its verbs, as docker's.
func newNetworkCommand() *cobra.Command {
	group := &cobra.Command{Use: "network", Short: "Manage networks and their default policies"}
	group.AddCommand(newNetworkCreateCommand(), newNetworkLsCommand(), newNetworkInspectCommand(),
		newNetworkRmCommand(), newNetworkConnectCommand(), newNetworkDisconnectCommand(), newNetworkPruneCommand())
	return group
}

func newNetworkCreateCommand() *cobra.Command {
	var req engine.NetworkCreateRequest
	var driver string
	cmd := &cobra.Command{
		Use:   "create [--subnet CIDR] [--gateway IP] [--internal] [--egress POLICY] [--ingress POLICY] NAME",
		Short: "Create a bridge network",
		Args:  cobra.ExactArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			if driver != "bridge" {
				return fmt.Errorf("--driver %s: ward has bridge networks only", driver)
			}
			req.Name = args[0]
			n, err := engine.CreateNetwork(cli.WardRoot(), req)
			if err != nil {
				return err
			}
			fmt.Println(n.ID)
			return nil
		}),
	}
	fl := cmd.Flags()
	fl.StringVarP(&driver, "driver", "d", "bridge", "driver: bridge")
	fl.StringVar(&req.Subnet, "subnet", "", "subnet in CIDR form (default: the first free one of 172.17-31.0.0/16, 192.168.N.0/20)")
	fl.StringVar(&req.Gateway, "gateway", "", "the bridge's address (default: the subnet's first)")
	fl.BoolVar(&req.Internal, "internal", false, "no route out of the network")
	fl.StringArrayVar(&req.Egress, "egress", nil, "default egress policy of its containers: allow=CIDR[:PORT[/PROTO]],... or deny-all")
	fl.StringArrayVar(&req.Ingress, "ingress", nil, "default ingress policy of its containers: allow=CIDR[:PORT[/PROTO]],...")
	return cmd
}

func newNetworkLsCommand() *cobra.Command {
	var quiet, noTrunc bool
	var tmplText string
	var filters []string
	cmd := &cobra.Command{
		Use:     "ls [-q] [--no-trunc] [--filter KEY=VALUE] [--format TEMPLATE|json]",
		Aliases: []string{"list"},
		Short:   "List networks",
		Args:    cobra.NoArgs,
		RunE: cli.ExitOne(func(_ *cobra.Command, _ []string) error {
			return networkview.List(cli.Layout(), os.Stdout, networkview.ListOptions{
				Quiet: quiet, NoTrunc: noTrunc, Format: tmplText, Filters: filters,
			})
		}),
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print names only")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "show full network IDs")
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, "filter: driver, id, label, name, scope, type (builtin|custom)")
	cmd.Flags().StringVar(&tmplText, "format", "", "a Go template (Docker's fields and functions, table), or json")
	return cmd
}

func newNetworkInspectCommand() *cobra.Command {
	var tmplText string
	cmd := &cobra.Command{
		Use:   "inspect [-f FORMAT] NETWORK...",
		Short: "Print networks as a JSON array, as docker network inspect does",
		Args:  cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			tmpl, err := format.TemplateOf(tmplText)
			if err != nil {
				return err
			}
			views, err := networkview.Views(cli.Layout(), args)
			var errs []error
			if err != nil {
				errs = append(errs, err)
			}
			return format.PrintInspected(os.Stdout, tmpl, views, errs)
		}),
	}
	cmd.Flags().StringVarP(&tmplText, "format", "f", "", "print each network through a Go template (Docker's functions), or json")
	return cmd
}

func newNetworkRmCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "rm NETWORK...",
		Aliases: []string{"remove"},
		Short:   "Remove networks no container uses",
		Args:    cobra.MinimumNArgs(1),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			var errs []error
			for _, name := range args {
				if err := engine.RemoveNetwork(cli.WardRoot(), name); err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Println(name)
			}
			return errors.Join(errs...)
		}),
	}
}

func newNetworkConnectCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "connect NETWORK CONTAINER",
		Short: "Connect a container to one more network",
		Args:  cobra.ExactArgs(2),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			e, c, err := open.Container(cli.Layout(), args[1])
			if err != nil {
				return err
			}
			return e.Connect(c, args[0])
		}),
	}
}

func newNetworkDisconnectCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "disconnect NETWORK CONTAINER",
		Short: "Disconnect a container from a network",
		Args:  cobra.ExactArgs(2),
		RunE: cli.ExitOne(func(_ *cobra.Command, args []string) error {
			e, c, err := open.Container(cli.Layout(), args[1])
			if err != nil {
				return err
			}
			return e.Disconnect(c, args[0])
		}),
	}
}

// newNetworkPruneCommand is `ward network prune`: every network of the
// user's that no container record names is removed.
func newNetworkPruneCommand() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "prune [-f]",
		Short: "Remove every custom network no container uses",
		Args:  cobra.NoArgs,
		RunE: cli.ExitOne(func(cmd *cobra.Command, _ []string) error {
			if !force && !cli.Confirm(cmd.InOrStdin(), os.Stderr, "WARNING! This will remove all custom networks not used by at least one container.") {
				return nil
			}
			rep, err := prune.Networks(cli.Layout())
			if err != nil {
				return err
			}
			rep.Print(os.Stdout, "Deleted Networks:", false)
			return errors.Join(rep.Errors...)
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	return cmd
}
