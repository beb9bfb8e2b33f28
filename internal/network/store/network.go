package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"time"
)

// DefaultNetwork is the name of the default bridge network, as Docker's.
const DefaultNetwork = "bridge"

// DefaultBridge is the default network's host interface: not docker0, so
// that ward and Docker can share a machine.
const DefaultBridge = "ward0"

// Network is a bridge network: its host interface, subnet and gateway,
// and the policy its containers get when they set none of their own.
type Network struct {
	Name     string
	ID       string
	Driver   string // "bridge"
	Bridge   string // host interface name
	Subnet   netip.Prefix
	Gateway  netip.Addr
	Internal bool     // no route out of the subnet
	Egress   []string `json:",omitempty"` // default --egress flags
	Ingress  []string `json:",omitempty"` // default --ingress flags
	Created  time.Time
}

// validName is Docker's rule for network names.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// reserved are the network modes that are not networks in the store.
var reserved = map[string]bool{"none": true, "host": true, "default": true, "container": true}

// NewNetworkID returns a random 64-hex-digit network ID.
func NewNetworkID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}

// BridgeName is the host interface of a user network: "wb-" and the
// first 12 characters of its ID, within the kernel's 15-byte limit.
func BridgeName(id string) string { return "wb-" + id[:12] }

// Network returns the named network.
func (t *Tx) Network(name string) (Network, error) {
	var n Network
	ok, err := t.get(bucketNetworks, name, &n)
	if err != nil {
		return n, err
	}
	if !ok {
		return n, fmt.Errorf("network %s: %w", name, ErrNotFound)
	}
	return n, nil
}

// Networks returns every network, by name.
func (t *Tx) Networks() ([]Network, error) {
	list, err := each[Network](t, bucketNetworks, "")
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list, err
}

// CreateNetwork records n after checking it: a valid and unused name, an
// IPv4 subnet given as its network address that overlaps no other
// network's, and a gateway inside it (its first address when unset).
// ID, Driver, Bridge and Created are filled when empty.
func (t *Tx) CreateNetwork(n Network) (Network, error) {
	if !validName.MatchString(n.Name) || reserved[n.Name] || n.Name == DefaultNetwork {
		return n, fmt.Errorf("%w: invalid network name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, and bridge, none, host and default are reserved", ErrInvalid, n.Name)
	}
	return t.createNetwork(n)
}

// EnsureDefault returns the default network, recording it first when it
// does not exist yet, on a subnet of the pool that overlaps none of avoid
// (the host's routes).
//
// The default bridge goes with its last container, so its subnet is
// chosen again when, meanwhile, a route of the host came to overlap it
// (Docker's docker0 taking 172.17/16 while ward had no container).
func (t *Tx) EnsureDefault(avoid []netip.Prefix) (Network, error) {
	n, err := t.Network(DefaultNetwork)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return n, err
	}
	if err == nil {
		eps, err := t.NetworkEndpoints(DefaultNetwork)
		if err != nil || len(eps) > 0 || !overlapsAny(n.Subnet, avoid) {
			return n, err
		}
		if err := t.del(bucketNetworks, DefaultNetwork); err != nil {
			return n, err
		}
	}
	subnet, err := t.ChooseSubnet(avoid)
	if err != nil {
		return n, err
	}
	return t.createNetwork(Network{Name: DefaultNetwork, Bridge: DefaultBridge, Subnet: subnet})
}

func overlapsAny(p netip.Prefix, routes []netip.Prefix) bool {
	for _, r := range routes {
		if r.Bits() > 0 && r.Overlaps(p) {
			return true
		}
	}
	return false
}

func (t *Tx) createNetwork(n Network) (Network, error) {
	if _, err := t.Network(n.Name); err == nil {
		return n, fmt.Errorf("%w: network with name %s already exists", ErrConflict, n.Name)
	}
	if err := checkSubnet(n.Subnet); err != nil {
		return n, err
	}
	if !n.Gateway.IsValid() {
		n.Gateway = n.Subnet.Addr().Next()
	}
	if !usable(n.Subnet, n.Gateway) {
		return n, fmt.Errorf("%w: --gateway %s is not a host address of subnet %s", ErrInvalid, n.Gateway, n.Subnet)
	}
	all, err := t.Networks()
	if err != nil {
		return n, err
	}
	for _, o := range all {
		if o.Subnet.Overlaps(n.Subnet) {
			return n, fmt.Errorf("%w: subnet %s overlaps subnet %s of network %s", ErrConflict, n.Subnet, o.Subnet, o.Name)
		}
	}
	if n.ID == "" {
		n.ID = NewNetworkID()
	}
	if n.Driver == "" {
		n.Driver = "bridge"
	}
	if n.Bridge == "" {
		n.Bridge = BridgeName(n.ID)
	}
	if n.Created.IsZero() {
		n.Created = time.Now().UTC()
	}
	return n, t.put(bucketNetworks, n.Name, n)
}

// checkSubnet accepts an IPv4 network address with room for a gateway
// and at least one container.
func checkSubnet(p netip.Prefix) error {
	switch {
	case !p.IsValid():
		return fmt.Errorf("%w: no subnet", ErrInvalid)
	case !p.Addr().Is4():
		return fmt.Errorf("%w: subnet %s: only IPv4 subnets are supported", ErrInvalid, p)
	case p.Masked() != p:
		return fmt.Errorf("%w: subnet %s is not a network address (did you mean %s?)", ErrInvalid, p, p.Masked())
	case p.Bits() > 30:
		return fmt.Errorf("%w: subnet %s is too small: at most /30", ErrInvalid, p)
	}
	return nil
}

// DeleteNetwork removes a network no container is attached to.
func (t *Tx) DeleteNetwork(name string) (Network, error) {
	n, err := t.Network(name)
	if err != nil {
		return n, err
	}
	eps, err := t.NetworkEndpoints(name)
	if err != nil {
		return n, err
	}
	if len(eps) > 0 {
		return n, fmt.Errorf("%w: network %s has %d active endpoint(s): remove or disconnect its containers first", ErrConflict, name, len(eps))
	}
	return n, t.del(bucketNetworks, name)
}

// subnetPool is where subnets come from when none is given: Docker's
// 172.17-31/16 then 192.168/16 cut in /20s.
func subnetPool() []netip.Prefix {
	var pool []netip.Prefix
	for b := 17; b <= 31; b++ {
		pool = append(pool, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), 0, 0}), 16))
	}
	for c := 0; c < 256; c += 16 {
		pool = append(pool, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(c), 0}), 20))
	}
	return pool
}

// ChooseSubnet returns the first subnet of the pool that overlaps no
// network of the store and none of avoid (the host's routes).
func (t *Tx) ChooseSubnet(avoid []netip.Prefix) (netip.Prefix, error) {
	all, err := t.Networks()
	if err != nil {
		return netip.Prefix{}, err
	}
	for _, n := range all {
		avoid = append(avoid, n.Subnet)
	}
next:
	for _, p := range subnetPool() {
		for _, a := range avoid {
			// A default route overlaps everything and says nothing of use.
			if a.Bits() > 0 && a.Overlaps(p) {
				continue next
			}
		}
		return p, nil
	}
	return netip.Prefix{}, fmt.Errorf("%w: every subnet of the default pool is in use: give --subnet", ErrConflict)
}
