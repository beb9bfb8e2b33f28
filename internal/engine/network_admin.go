package engine

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/wardproject/ward/internal/network/link"
	"github.com/wardproject/ward/internal/network/store"
	"github.com/wardproject/ward/internal/record"
)

// NetworkCreateRequest is what `ward network create` asks for.
type NetworkCreateRequest struct {
	Name     string
	Subnet   string // CIDR; empty: the first free one of the pool
	Gateway  string // empty: the subnet's first address
	Internal bool
	Egress   []string // the network's default --egress
	Ingress  []string // the network's default --ingress
}

// CreateNetwork records a network and makes its bridge and rules, or
// nothing when any step fails.
func CreateNetwork(root string, req NetworkCreateRequest) (store.Network, error) {
	n := store.Network{Name: req.Name, Internal: req.Internal, Egress: req.Egress, Ingress: req.Ingress}
	if req.Subnet != "" {
		p, err := netip.ParsePrefix(req.Subnet)
		if err != nil {
			return n, fmt.Errorf("invalid --subnet %q: not a CIDR such as 10.1.0.0/16", req.Subnet)
		}
		n.Subnet = p
	}
	if req.Gateway != "" {
		if req.Subnet == "" {
			return n, fmt.Errorf("--gateway needs --subnet")
		}
		a, err := netip.ParseAddr(req.Gateway)
		if err != nil {
			return n, fmt.Errorf("invalid --gateway %q: not an IP address", req.Gateway)
		}
		n.Gateway = a
	}
	if _, err := parseEgress(req.Egress); err != nil {
		return n, fmt.Errorf("--egress: %w", err)
	}
	pol, err := parseIngress(req.Ingress)
	if err != nil {
		return n, fmt.Errorf("--ingress: %w", err)
	}
	for _, r := range pol.Rules {
		if r.Peer != "" {
			return n, fmt.Errorf("--ingress allow=%s: a network's default policy allows addresses, not names", r.Peer)
		}
	}
	st, err := OpenNetworkStore(root)
	if err != nil {
		return n, err
	}
	made := false
	err = st.Update(func(tx *store.Tx) error {
		if !n.Subnet.IsValid() {
			if n.Subnet, err = tx.ChooseSubnet(HostRoutes()); err != nil {
				return err
			}
		}
		if n, err = tx.CreateNetwork(n); err != nil {
			return err
		}
		if err := link.EnsureBridge(link.Bridge{Name: n.Bridge, Gateway: netip.PrefixFrom(n.Gateway, n.Subnet.Bits())}); err != nil {
			return fmt.Errorf("network %s: bridge %s: %w", n.Name, n.Bridge, err)
		}
		made = true
		return applyFirewall(tx)
	})
	if err != nil && made {
		link.DeleteBridge(n.Bridge)
	}
	return n, err
}

// RemoveNetwork deletes a network no container uses, its bridge and its
// rules.
func RemoveNetwork(root, name string) error {
	if name == store.DefaultNetwork || name == "host" || name == "none" {
		return fmt.Errorf("%w: %s is a pre-defined network and cannot be removed", record.ErrConflict, name)
	}
	st, err := OpenNetworkStore(root)
	if err != nil {
		return err
	}
	return st.Update(func(tx *store.Tx) error {
		n, err := tx.DeleteNetwork(name)
		if err != nil {
			return err
		}
		if err := applyFirewall(tx); err != nil {
			return err
		}
		if err := link.DeleteBridge(n.Bridge); err != nil {
			return fmt.Errorf("network %s: bridge %s: %w", name, n.Bridge, err)
		}
		return nil
	})
}

// Connect attaches a container with a network namespace of its own to
// one more network: a new interface (eth1, ...), an address, rules.
func (e *Engine) Connect(c *record.Container, network string) error {
	st, err := e.networkStore()
	if err != nil {
		return err
	}
	var ep store.Endpoint
	var hosts map[string][]byte
	attached := false
	err = st.Update(func(tx *store.Tx) error {
		sb, err := tx.Sandbox(c.ID)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("container %s has no network namespace of its own (--network %s): it cannot be connected", c.ShortName(), c.HostConfig.NetworkMode)
		}
		if err != nil {
			return err
		}
		n, err := e.lookupNetwork(tx, network)
		if err != nil {
			return err
		}
		existing, err := tx.ContainerEndpoints(c.ID)
		if err != nil {
			return err
		}
		if ep, err = tx.Allocate(n.Name, c.ID, "", netip.Addr{}); err != nil {
			return err
		}
		// One veth per interface: eth0's is HostVethName, ethN's ends in -N
		// (15 bytes, the kernel's limit, up to eth9).
		ep.HostVeth = link.HostVethName(c.ID)
		if ep.IfName != "eth0" {
			ep.HostVeth += "-" + ep.IfName[len("eth"):]
		}
		if err := tx.PutEndpoint(ep); err != nil {
			return err
		}
		if err := attach(n, ep, sb.NetnsPath, !routedEndpoint(tx, existing)); err != nil {
			return fmt.Errorf("container %s: network %s: %w", c.ShortName(), n.Name, err)
		}
		attached = true
		if err := applyFirewall(tx); err != nil {
			return err
		}
		hosts, err = hostsFiles(tx, c.ID, []string{n.Name})
		return err
	})
	if err != nil {
		if attached {
			link.Detach(ep.HostVeth)
		}
		return err
	}
	return writeHostsFiles(hosts)
}

// Disconnect detaches a container from a network.
func (e *Engine) Disconnect(c *record.Container, network string) error {
	st, err := e.networkStore()
	if err != nil {
		return err
	}
	var hosts map[string][]byte
	err = st.Update(func(tx *store.Tx) error {
		ep, err := tx.Release(network, c.ID)
		if err != nil {
			return err
		}
		if err := applyFirewall(tx); err != nil {
			return err
		}
		if err := link.Detach(ep.HostVeth); err != nil {
			return fmt.Errorf("container %s: network %s: %w", c.ShortName(), network, err)
		}
		if left, err := tx.NetworkEndpoints(store.DefaultNetwork); err == nil && len(left) == 0 && network == store.DefaultNetwork {
			n, _ := tx.Network(store.DefaultNetwork)
			link.DeleteBridge(n.Bridge)
		}
		hosts, err = hostsFiles(tx, c.ID, []string{network})
		return err
	})
	if err != nil {
		return err
	}
	return writeHostsFiles(hosts)
}
