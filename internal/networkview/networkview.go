// Package networkview is what `ward network ls` and `ward network
// inspect` show of networks: the recorded ones with their containers, in
// docker's shape and with ward's default policies, and the built-in
// bridge, host and none as docker lists them.
package networkview

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/filter"
	"github.com/wardproject/ward/internal/format"
	"github.com/wardproject/ward/internal/listing"
	"github.com/wardproject/ward/internal/network/store"
	"github.com/wardproject/ward/internal/record"
	"github.com/wardproject/ward/internal/rootdir"
)

// View is one network as `ward network inspect` prints it.
type View struct {
	Name       string
	ID         string `json:"Id"`
	Created    time.Time
	Scope      string
	Driver     string
	IPAM       IPAM
	Internal   bool
	Containers map[string]Container
	Options    map[string]string
	Policy     record.EffectivePolicy
}

// IPAM is a network's address management, as docker shows it.
type IPAM struct {
	Driver string
	Config []map[string]string
}

// Container is one container's endpoint on a network.
type Container struct {
	Name        string
	MacAddress  string
	IPv4Address string
}

// Builtin tells whether the network is one docker always has (bridge,
// host, none): never removed, listed as type builtin.
func (v View) Builtin() bool {
	return v.Name == store.DefaultNetwork || v.Name == "host" || v.Name == "none"
}

// Views reads the networks under l (all when names is empty, else those
// named or whose ID starts with a name of at least 4 characters) with
// their containers; each name not found is an error, joined with the
// others.
func Views(l rootdir.Layout, names []string) ([]View, error) {
	st, err := engine.OpenNetworkStore(l.Root())
	if err != nil {
		return nil, err
	}
	var out []View
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
			v := View{
				Name: n.Name, ID: n.ID, Created: n.Created, Scope: "local", Driver: n.Driver, Internal: n.Internal,
				IPAM:       IPAM{Driver: "default", Config: []map[string]string{{"Subnet": n.Subnet.String(), "Gateway": n.Gateway.String()}}},
				Containers: map[string]Container{},
				Options:    map[string]string{"com.docker.network.bridge.name": n.Bridge},
				Policy:     record.EffectivePolicy{Egress: policyText(n.Egress), Ingress: policyText(n.Ingress)},
			}
			for _, ep := range eps {
				v.Containers[ep.ContainerID] = Container{Name: byID[ep.ContainerID].Name, MacAddress: ep.MAC,
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
		out = append([]View{{Name: store.DefaultNetwork, Scope: "local", Driver: "bridge",
			Options: map[string]string{"com.docker.network.bridge.name": store.DefaultBridge},
			Policy:  record.EffectivePolicy{Egress: "allow-all", Ingress: "allow-all"}}}, out...)
	}
	out = append(out,
		View{Name: "host", Scope: "local", Driver: "host", Policy: record.EffectivePolicy{Egress: "allow-all", Ingress: "allow-all"}},
		View{Name: "none", Scope: "local", Driver: "null", Policy: record.EffectivePolicy{Egress: "deny-all", Ingress: "deny-all"}})
	return pick(out, names)
}

// pick keeps the views names asks for, in the order asked.
func pick(views []View, names []string) ([]View, error) {
	if len(names) == 0 {
		return views, nil
	}
	var picked []View
	var errs []error
	for _, name := range names {
		found := false
		for _, v := range views {
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

// policyText is a recorded policy as its flags spell it; none is
// allow-all.
func policyText(flags []string) string {
	if len(flags) == 0 {
		return "allow-all"
	}
	return strings.Join(flags, " ")
}

// ListOptions are `ward network ls`'s flags.
type ListOptions struct {
	Quiet, NoTrunc bool
	Format         string
	Filters        []string
}

// List prints `ward network ls` of the networks under l to out.
func List(l rootdir.Layout, out io.Writer, o ListOptions) error {
	args, err := filter.Parse(o.Filters, listing.NetworkFilters...)
	if err != nil {
		return err
	}
	views, err := Views(l, nil)
	if err != nil {
		return err
	}
	tmplText := o.Format
	if tmplText == "" {
		tmplText = listing.DefaultNetworkFormat
	}
	if o.Quiet {
		tmplText = "{{.Name}}"
	}
	w, err := format.New(out, tmplText, listing.NetworkHeaders)
	if err != nil {
		return err
	}
	for _, v := range views {
		row := v.row(o.NoTrunc)
		if !listing.NetworkMatch(args, row, v.ID) {
			continue
		}
		if err := w.Write(row); err != nil {
			return err
		}
	}
	return w.Flush()
}

// row is v as a line of `ward network ls`.
func (v View) row(noTrunc bool) listing.NetworkRow {
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
	return listing.NetworkRow{ID: id, Name: v.Name, Driver: v.Driver, Scope: v.Scope, IPv6: "false",
		Internal: fmt.Sprint(v.Internal), CreatedAt: created, Subnet: subnet, Egress: v.Policy.Egress,
		Builtin: v.Builtin()}
}
