// Package firewall writes ward's nftables tables from a declared state.
package firewall

import (
	"errors"
	"net/netip"

	"github.com/wardproject/ward/internal/network/netpolicy"
)

// Network is one ward network as the firewall sees it.
type Network struct {
	Name, Bridge string
	Subnet       netip.Prefix
	Gateway      netip.Addr
	Internal     bool
	Egress       netpolicy.Policy // network defaults
	Ingress      netpolicy.Policy
}

// Port is a published port.
type Port struct {
	HostIP        netip.Addr // invalid = all addresses
	HostPort      uint16
	ContainerPort uint16
	Proto         string
}

// Endpoint is one container on one network.
type Endpoint struct {
	ContainerID, Network, HostVeth string
	Addr                           netip.Addr
	Egress, Ingress                netpolicy.Policy // resolved, effective
	Ports                          []Port
	DNS                            []netip.Addr
}

// State is everything the firewall must enforce.
type State struct {
	Networks  []Network
	Endpoints []Endpoint
}

// Apply replaces ward's tables with ones that enforce s, atomically.
func Apply(s State) error { return errors.ErrUnsupported }

// Tables names ward's tables.
func Tables() []string { return nil }
