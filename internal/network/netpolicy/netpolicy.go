// Package netpolicy parses egress and ingress allow-lists.
package netpolicy

import (
	"errors"
	"net/netip"
)

// Rule allows traffic to or from Prefix, on Port (0 = any) and Proto
// ("" = any, "tcp", "udp").
type Rule struct {
	Prefix netip.Prefix
	Port   uint16
	Proto  string
	Peer   string // container or network name for ingress; the engine resolves it into Prefix
}

// Policy is an allow-list. Restricted false means allow all.
type Policy struct {
	Restricted bool
	Rules      []Rule
}

// ParseEgress parses --egress flags.
func ParseEgress(flags []string) (Policy, error) { return Policy{}, errors.ErrUnsupported }

// ParseIngress parses --ingress flags.
func ParseIngress(flags []string) (Policy, error) { return Policy{}, errors.ErrUnsupported }

// String is the canonical text of p.
func (p Policy) String() string { return "" }
