package store

import (
	"fmt"
	"net/netip"
	"slices"
)

// Sandbox is one container's network namespace and what it asks of the
// network: published ports and its own egress and ingress flags (nil:
// the networks' defaults).
type Sandbox struct {
	ContainerID string
	Name        string // the container's name, for peers' /etc/hosts and --ingress allow=NAME
	Hostname    string
	NetnsPath   string
	HostsFile   string   // the container's /etc/hosts on the host, rewritten as peers come and go
	Ports       []Port   `json:",omitempty"`
	Egress      []string `json:",omitempty"`
	Ingress     []string `json:",omitempty"`
	// DNS are the resolvers of the container's resolv.conf, which its
	// egress policy may allow.
	DNS []netip.Addr `json:",omitempty"`
}

// Port is a published port. HostIP unset means every address of the host.
type Port struct {
	HostIP        netip.Addr `json:",omitzero"`
	HostPort      uint16
	ContainerPort uint16
	Proto         string // "tcp" or "udp"
}

// Endpoint is a sandbox on one network, with the address it holds.
type Endpoint struct {
	ContainerID string
	Network     string
	Addr        netip.Addr
	MAC         string
	HostVeth    string
	IfName      string // inside the namespace: eth0, eth1...
}

func endpointKey(network, containerID string) string { return network + "\x00" + containerID }

// Sandbox returns a container's sandbox.
func (t *Tx) Sandbox(containerID string) (Sandbox, error) {
	var sb Sandbox
	ok, err := t.get(bucketSandboxes, containerID, &sb)
	if err != nil {
		return sb, err
	}
	if !ok {
		return sb, fmt.Errorf("network sandbox of container %s: %w", containerID, ErrNotFound)
	}
	return sb, nil
}

// Sandboxes returns every sandbox.
func (t *Tx) Sandboxes() ([]Sandbox, error) { return each[Sandbox](t, bucketSandboxes, "") }

// ephemeralPorts is where -P and -p CONTAINERPORT find host ports, as
// Docker's default range.
const ephemeralFirst, ephemeralLast = 49153, 60999

// PutSandbox records sb, giving each port with HostPort 0 a free one.
// A host port another sandbox publishes on an overlapping address, or one
// that free reports taken (by a process of the host), is a conflict.
func (t *Tx) PutSandbox(sb Sandbox, free func(Port) bool) (Sandbox, error) {
	others, err := t.Sandboxes()
	if err != nil {
		return sb, err
	}
	var taken []Port
	for _, o := range others {
		if o.ContainerID != sb.ContainerID {
			taken = append(taken, o.Ports...)
		}
	}
	clash := func(p Port) bool {
		return slices.ContainsFunc(taken, func(q Port) bool {
			return q.HostPort == p.HostPort && q.Proto == p.Proto &&
				(!q.HostIP.IsValid() || !p.HostIP.IsValid() || q.HostIP == p.HostIP)
		})
	}
	sb.Ports = slices.Clone(sb.Ports)
	for i, p := range sb.Ports {
		if p.HostPort == 0 {
			for hp := ephemeralFirst; hp <= ephemeralLast; hp++ {
				p.HostPort = uint16(hp)
				if !clash(p) && (free == nil || free(p)) {
					break
				}
				p.HostPort = 0
			}
			if p.HostPort == 0 {
				return sb, fmt.Errorf("%w: no free host port for %d/%s", ErrConflict, p.ContainerPort, p.Proto)
			}
		} else if clash(p) {
			return sb, fmt.Errorf("%w: bind for %s failed: port is already allocated", ErrConflict, hostPortString(p))
		} else if free != nil && !free(p) {
			return sb, fmt.Errorf("%w: bind for %s failed: port is already in use on the host", ErrConflict, hostPortString(p))
		}
		sb.Ports[i] = p
		taken = append(taken, p)
	}
	return sb, t.put(bucketSandboxes, sb.ContainerID, sb)
}

func hostPortString(p Port) string {
	ip := "0.0.0.0"
	if p.HostIP.IsValid() {
		ip = p.HostIP.String()
	}
	return fmt.Sprintf("%s:%d/%s", ip, p.HostPort, p.Proto)
}

// DeleteSandbox removes a container's sandbox and every endpoint of it,
// releasing its addresses and ports; it returns the endpoints removed.
func (t *Tx) DeleteSandbox(containerID string) ([]Endpoint, error) {
	eps, err := t.ContainerEndpoints(containerID)
	if err != nil {
		return nil, err
	}
	for _, ep := range eps {
		if err := t.del(bucketEndpoints, endpointKey(ep.Network, ep.ContainerID)); err != nil {
			return nil, err
		}
	}
	return eps, t.del(bucketSandboxes, containerID)
}

// NetworkEndpoints returns the endpoints on a network.
func (t *Tx) NetworkEndpoints(network string) ([]Endpoint, error) {
	return each[Endpoint](t, bucketEndpoints, network+"\x00")
}

// Endpoints returns every endpoint.
func (t *Tx) Endpoints() ([]Endpoint, error) { return each[Endpoint](t, bucketEndpoints, "") }

// ContainerEndpoints returns a container's endpoints, in the order of
// their interfaces.
func (t *Tx) ContainerEndpoints(containerID string) ([]Endpoint, error) {
	all, err := t.Endpoints()
	if err != nil {
		return nil, err
	}
	var out []Endpoint
	for _, ep := range all {
		if ep.ContainerID == containerID {
			out = append(out, ep)
		}
	}
	slices.SortFunc(out, func(a, b Endpoint) int {
		if len(a.IfName) != len(b.IfName) {
			return len(a.IfName) - len(b.IfName)
		}
		return compareStrings(a.IfName, b.IfName)
	})
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Allocate attaches a container to a network: the lowest free host
// address of the subnet (or want, when valid and free), a MAC derived from
// it as Docker does, the host veth name given, and the next free
// interface name inside the namespace.
func (t *Tx) Allocate(network, containerID, hostVeth string, want netip.Addr) (Endpoint, error) {
	n, err := t.Network(network)
	if err != nil {
		return Endpoint{}, err
	}
	var none Endpoint
	if ok, err := t.get(bucketEndpoints, endpointKey(network, containerID), &none); err != nil {
		return Endpoint{}, err
	} else if ok {
		return Endpoint{}, fmt.Errorf("%w: container %s is already attached to network %s", ErrConflict, containerID, network)
	}
	eps, err := t.NetworkEndpoints(network)
	if err != nil {
		return Endpoint{}, err
	}
	used := map[netip.Addr]bool{n.Gateway: true}
	for _, ep := range eps {
		used[ep.Addr] = true
	}
	addr := want
	if addr.IsValid() {
		if !usable(n.Subnet, addr) || used[addr] {
			return Endpoint{}, fmt.Errorf("%w: address %s is not free in network %s (%s)", ErrConflict, addr, network, n.Subnet)
		}
	} else {
		for a := n.Subnet.Addr().Next(); usable(n.Subnet, a); a = a.Next() {
			if !used[a] {
				addr = a
				break
			}
		}
		if !addr.IsValid() {
			return Endpoint{}, fmt.Errorf("%w: no free address left in network %s (%s)", ErrConflict, network, n.Subnet)
		}
	}
	mine, err := t.ContainerEndpoints(containerID)
	if err != nil {
		return Endpoint{}, err
	}
	ifName := ""
	for i := 0; ifName == ""; i++ {
		name := fmt.Sprintf("eth%d", i)
		if !slices.ContainsFunc(mine, func(ep Endpoint) bool { return ep.IfName == name }) {
			ifName = name
		}
	}
	a4 := addr.As4()
	ep := Endpoint{
		ContainerID: containerID, Network: network, Addr: addr, HostVeth: hostVeth, IfName: ifName,
		MAC: fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", a4[0], a4[1], a4[2], a4[3]),
	}
	return ep, t.put(bucketEndpoints, endpointKey(network, containerID), ep)
}

// Release detaches a container from one network, freeing its address.
func (t *Tx) Release(network, containerID string) (Endpoint, error) {
	var ep Endpoint
	ok, err := t.get(bucketEndpoints, endpointKey(network, containerID), &ep)
	if err != nil {
		return ep, err
	}
	if !ok {
		return ep, fmt.Errorf("%w: container %s is not attached to network %s", ErrNotFound, containerID, network)
	}
	return ep, t.del(bucketEndpoints, endpointKey(network, containerID))
}

// usable tells whether a is a host address of subnet: inside it, and
// neither its network nor its broadcast address.
func usable(subnet netip.Prefix, a netip.Addr) bool {
	if !subnet.Contains(a) || a == subnet.Addr() {
		return false
	}
	return a.Next().IsValid() && subnet.Contains(a.Next()) // not the last (broadcast) one
}

// PutEndpoint rewrites an allocated endpoint (its host veth name).
func (t *Tx) PutEndpoint(ep Endpoint) error {
	var old Endpoint
	if ok, err := t.get(bucketEndpoints, endpointKey(ep.Network, ep.ContainerID), &old); err != nil {
		return err
	} else if !ok || old.Addr != ep.Addr {
		return fmt.Errorf("%w: endpoint of container %s on network %s was not allocated", ErrInvalid, ep.ContainerID, ep.Network)
	}
	return t.put(bucketEndpoints, endpointKey(ep.Network, ep.ContainerID), ep)
}
