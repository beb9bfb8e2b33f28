package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardproject/ward/internal/cli"
	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/network/store"
	"github.com/wardproject/ward/internal/open"
	"github.com/wardproject/ward/internal/record"
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
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
			if driver != "bridge" {
				return fmt.Errorf("--driver %s: ward has bridge networks only", driver)
			}
			req.Name = args[0]
			n, err := engine.CreateNetwork(wardRoot(), req)
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

// networkView is one network as `ward network inspect` prints it, in
// docker's shape, with ward's default policies.
type networkView struct {
	Name       string
	ID         string `json:"Id"`
	Created    time.Time
	Scope      string
	Driver     string
	IPAM       ipamView
	Internal   bool
	Containers map[string]networkContainer
	Options    map[string]string
	Policy     record.EffectivePolicy
}

type ipamView struct {
	Driver string
	Config []map[string]string
}

type networkContainer struct {
	Name        string
	MacAddress  string
	IPv4Address string
}

// networkViews reads the networks (all when names is empty) with their
// containers; host and none are listed as docker lists them.
func networkViews(names []string) ([]networkView, error) {
	st, err := engine.OpenNetworkStore(wardRoot())
	if err != nil {
		return nil, err
	}
	var out []networkView
	err = st.View(func(tx *store.Tx) error {
		nets, err := tx.Networks()
		if err != nil {
			return err
		}
		sbs, err := tx.Sandboxes()
		if err != nil {
			return err
		}
		byID := map[string]store.Sandbox{}
		for _, sb := range sbs {
			byID[sb.ContainerID] = sb
		}
		for _, n := range nets {
			eps, err := tx.NetworkEndpoints(n.Name)
			if err != nil {
				return err
			}
			v := networkView{
				Name: n.Name, ID: n.ID, Created: n.Created, Scope: "local", Driver: n.Driver, Internal: n.Internal,
				IPAM:       ipamView{Driver: "default", Config: []map[string]string{{"Subnet": n.Subnet.String(), "Gateway": n.Gateway.String()}}},
				Containers: map[string]networkContainer{},
				Options:    map[string]string{"com.docker.network.bridge.name": n.Bridge},
				Policy:     record.EffectivePolicy{Egress: policyFlagsText(n.Egress), Ingress: policyFlagsText(n.Ingress)},
			}
			for _, ep := range eps {
				v.Containers[ep.ContainerID] = networkContainer{Name: byID[ep.ContainerID].Name, MacAddress: ep.MAC,
					IPv4Address: fmt.Sprintf("%s/%d", ep.Addr, n.Subnet.Bits())}
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 || out[0].Name != store.DefaultNetwork {
		// The default bridge is recorded on first use; it exists before.
		out = append([]networkView{{Name: store.DefaultNetwork, Scope: "local", Driver: "bridge",
			Options: map[string]string{"com.docker.network.bridge.name": store.DefaultBridge},
			Policy:  record.EffectivePolicy{Egress: "allow-all", Ingress: "allow-all"}}}, out...)
	}
	out = append(out,
		networkView{Name: "host", Scope: "local", Driver: "host", Policy: record.EffectivePolicy{Egress: "allow-all", Ingress: "allow-all"}},
		networkView{Name: "none", Scope: "local", Driver: "null", Policy: record.EffectivePolicy{Egress: "deny-all", Ingress: "deny-all"}})
	if len(names) == 0 {
		return out, nil
	}
	var picked []networkView
	var errs []error
	for _, name := range names {
		found := false
		for _, v := range out {
			if v.Name == name || (v.ID != "" && len(name) >= 4 && len(v.ID) >= len(name) && v.ID[:len(name)] == name) {
				picked, found = append(picked, v), true
				break
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("network %s not found", name))
		}
	}
	return picked, errors.Join(errs...)
}

func policyFlagsText(flags []string) string {
	if len(flags) == 0 {
		return "allow-all"
	}
	s := ""
	for i, f := range flags {
		if i > 0 {
			s += " "
		}
		s += f
	}
	return s
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
		RunE: containerRunE(func(_ *cobra.Command, _ []string) error {
			args, err := filter.Parse(filters, listing.NetworkFilters...)
			if err != nil {
				return err
			}
			views, err := networkViews(nil)
			if err != nil {
				return err
			}
			if tmplText == "" {
				tmplText = listing.DefaultNetworkFormat
			}
			if quiet {
				tmplText = "{{.Name}}"
			}
			w, err := format.New(os.Stdout, tmplText, listing.NetworkHeaders)
			if err != nil {
				return err
			}
			for _, v := range views {
				id, subnet := v.ID, ""
				if len(id) > 12 && !noTrunc {
					id = id[:12]
				}
				if len(v.IPAM.Config) > 0 {
					subnet = v.IPAM.Config[0]["Subnet"]
				}
				created := ""
				if !v.Created.IsZero() {
					created = v.Created.Local().Format("2006-01-02 15:04:05.999999999 -0700 MST")
				}
				row := listing.NetworkRow{ID: id, Name: v.Name, Driver: v.Driver, Scope: v.Scope, IPv6: "false",
					Internal: fmt.Sprint(v.Internal), CreatedAt: created, Subnet: subnet, Egress: v.Policy.Egress,
					Builtin: v.Name == store.DefaultNetwork || v.Name == "host" || v.Name == "none"}
				if !listing.NetworkMatch(args, row, v.ID) {
					continue
				}
				if err := w.Write(row); err != nil {
					return err
				}
			}
			return w.Flush()
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
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
			tmpl, err := format.TemplateOf(tmplText)
			if err != nil {
				return err
			}
			views, err := networkViews(args)
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
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
			var errs []error
			for _, name := range args {
				if err := engine.RemoveNetwork(wardRoot(), name); err != nil {
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
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
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
		RunE: containerRunE(func(_ *cobra.Command, args []string) error {
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
		RunE: containerRunE(func(cmd *cobra.Command, _ []string) error {
			if !force && !confirm(cmd.InOrStdin(), "WARNING! This will remove all custom networks not used by at least one container.") {
				return nil
			}
			views, err := networkViews(nil)
			if err != nil {
				return err
			}
			used := map[string]bool{}
			if dir := cli.Layout().Containers(); exists(dir) {
				records, err := record.OpenRecords(dir)
				if err != nil {
					return err
				}
				list, err := records.List()
				if err != nil {
					return err
				}
				for _, c := range list {
					used[c.HostConfig.NetworkMode] = true
					if c.NetworkSettings != nil {
						for n := range c.NetworkSettings.Networks {
							used[n] = true
						}
					}
				}
			}
			var deleted []string
			var errs []error
			for _, v := range views {
				builtin := v.Name == store.DefaultNetwork || v.Name == "host" || v.Name == "none"
				if builtin || used[v.Name] || len(v.Containers) > 0 {
					continue
				}
				if err := engine.RemoveNetwork(wardRoot(), v.Name); err != nil {
					if !errors.Is(err, record.ErrConflict) {
						errs = append(errs, err)
					}
					continue
				}
				deleted = append(deleted, v.Name)
			}
			if len(deleted) > 0 {
				fmt.Println("Deleted Networks:")
				for _, d := range deleted {
					fmt.Println(d)
				}
				fmt.Println()
			}
			return errors.Join(errs...)
		}),
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	return cmd
}
