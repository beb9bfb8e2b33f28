// API CHANGE (H3): Policy has a DNS field, set by the egress form
// "allow=dns": egress to the endpoint's resolvers (firewall.Endpoint.DNS)
// on port 53, TCP and UDP. Without it a restricted policy drops DNS like
// anything else, as issue 7 asks ("DNS ... only when the policy says so").

// Package netpolicy parses the per-container network allow-lists of
// `ward run --egress/--ingress` and `ward network create --egress`, and
// prints them back in one canonical form for `ward inspect`.
//
// It is pure parsing: the engine resolves ingress peers named by container
// or network into addresses, and the firewall package turns a Policy into
// kernel rules. The zero Policy allows everything, as Docker does, so that
// "no flag" needs no special case anywhere.
//
// Forms (several flags add up, items within a flag are comma-separated):
//
//	deny-all                          restricted, nothing allowed
//	allow-all                         unrestricted (alone only)
//	allow=ITEM[,ITEM...]              restricted, these allowed
//	ITEM  = TARGET[:PORT[/PROTO]]     PORT 1-65535 or *, PROTO tcp or udp
//	TARGET= 10.0.0.5 | 10.0.0.0/8 | [fd00::1] | [fd00::]/64 | fd00::/64 (no port)
//	        | dns (egress only) | CONTAINER or NETWORK name (ingress only)
package netpolicy

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Rule allows traffic to (egress) or from (ingress) Prefix, on Port
// (0 = any) and Proto ("" = any, "tcp", "udp").
type Rule struct {
	Prefix netip.Prefix
	Port   uint16
	Proto  string
	Peer   string // ingress only: a container or network name; the engine resolves it into Prefix
}

// Policy is an allow-list. Restricted false allows all traffic and ignores
// Rules; Restricted with no Rules and no DNS is deny-all.
type Policy struct {
	Restricted bool
	Rules      []Rule
	DNS        bool // egress only: the endpoint's resolvers on port 53
}

type direction int

const (
	egress direction = iota
	ingress
)

func (d direction) String() string {
	if d == ingress {
		return "ingress"
	}
	return "egress"
}

// ParseEgress parses --egress flags.
func ParseEgress(flags []string) (Policy, error) { return parse(egress, flags) }

// ParseIngress parses --ingress flags.
func ParseIngress(flags []string) (Policy, error) { return parse(ingress, flags) }

func parse(dir direction, flags []string) (Policy, error) {
	var p Policy
	allowAll := false
	for _, flag := range flags {
		f := strings.TrimSpace(flag)
		switch {
		case f == "deny-all":
			p.Restricted = true
		case f == "allow-all":
			allowAll = true
		case strings.HasPrefix(f, "allow="):
			p.Restricted = true
			for _, item := range strings.Split(strings.TrimPrefix(f, "allow="), ",") {
				item = strings.TrimPrefix(strings.TrimSpace(item), "allow=")
				if err := p.add(dir, item); err != nil {
					return Policy{}, fmt.Errorf("%s %q: %w", dir, flag, err)
				}
			}
		default:
			return Policy{}, fmt.Errorf("%s %q: want deny-all, allow-all or allow=TARGET[:PORT[/PROTO]],...", dir, flag)
		}
	}
	if allowAll {
		if p.Restricted {
			return Policy{}, fmt.Errorf("%s: allow-all cannot be combined with deny-all or allow=", dir)
		}
		return Policy{}, nil
	}
	return p, nil
}

// add parses one item into p.
func (p *Policy) add(dir direction, item string) error {
	if item == "" {
		return errors.New("empty item")
	}
	if item == "dns" {
		if dir != egress {
			return errors.New("dns is an egress form")
		}
		p.DNS = true
		return nil
	}
	target, portProto, hasPort, err := splitItem(item)
	if err != nil {
		return err
	}
	var r Rule
	if hasPort {
		if r.Port, r.Proto, err = parsePortProto(portProto); err != nil {
			return fmt.Errorf("%s: %w", item, err)
		}
	}
	if dir == ingress && isName(target) {
		r.Peer = target
	} else if r.Prefix, err = parseTarget(target); err != nil {
		return err
	}
	if !slices.Contains(p.Rules, r) {
		p.Rules = append(p.Rules, r)
	}
	return nil
}

// splitItem separates TARGET from PORT[/PROTO]. IPv6 needs brackets to
// carry a port, since its colons would be ambiguous.
func splitItem(item string) (target, portProto string, hasPort bool, err error) {
	if strings.HasPrefix(item, "[") {
		end := strings.Index(item, "]")
		if end < 0 {
			return "", "", false, fmt.Errorf("%s: missing ]", item)
		}
		addr, rest := item[1:end], item[end+1:]
		if strings.HasPrefix(rest, "/") {
			n := strings.IndexByte(rest, ':')
			if n < 0 {
				n = len(rest)
			}
			addr, rest = addr+rest[:n], rest[n:]
		}
		if rest == "" {
			return addr, "", false, nil
		}
		if !strings.HasPrefix(rest, ":") {
			return "", "", false, fmt.Errorf("%s: want [ADDR]/LEN:PORT", item)
		}
		return addr, rest[1:], true, nil
	}
	if strings.Count(item, ":") > 1 {
		return item, "", false, nil // bare IPv6, no port
	}
	target, portProto, hasPort = strings.Cut(item, ":")
	return target, portProto, hasPort, nil
}

func parsePortProto(s string) (uint16, string, error) {
	portText, proto, hasProto := strings.Cut(s, "/")
	if hasProto && proto != "tcp" && proto != "udp" {
		return 0, "", fmt.Errorf("protocol %q: want tcp or udp", proto)
	}
	if portText == "*" {
		if !hasProto {
			return 0, "", errors.New("port *: name a protocol (*/tcp or */udp), or leave the port out")
		}
		return 0, proto, nil
	}
	n, err := strconv.ParseUint(portText, 10, 32)
	if err != nil || n == 0 || n > 65535 {
		return 0, "", fmt.Errorf("port %q: want a number from 1 to 65535", portText)
	}
	return uint16(n), proto, nil
}

// parseTarget accepts a bare address (one host) or a CIDR without host
// bits, so that what is written is exactly what is allowed.
func parseTarget(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR", s)
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR: %w", s, err)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("CIDR %s has host bits set: did you mean %s", s, p.Masked())
	}
	return p, nil
}

var nameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// isName tells a container or network name from an address: Docker's name
// syntax, but not something made only of digits and dots, which is an
// address written wrong (10.0.0.300) and must say so.
func isName(s string) bool {
	return nameRE.MatchString(s) && strings.Trim(s, "0123456789.") != ""
}

// String is the canonical text of r, in the syntax it was parsed from.
func (r Rule) String() string {
	var b strings.Builder
	switch {
	case r.Peer != "" && !r.Prefix.IsValid():
		b.WriteString(r.Peer)
	case r.Prefix.Addr().Is6() && r.Prefix.IsSingleIP():
		b.WriteString("[" + r.Prefix.Addr().String() + "]")
	case r.Prefix.Addr().Is6():
		b.WriteString("[" + r.Prefix.Addr().String() + "]/" + strconv.Itoa(r.Prefix.Bits()))
	case r.Prefix.IsSingleIP():
		b.WriteString(r.Prefix.Addr().String())
	default:
		b.WriteString(r.Prefix.String())
	}
	switch {
	case r.Port != 0:
		b.WriteString(":" + strconv.Itoa(int(r.Port)))
	case r.Proto != "":
		b.WriteString(":*")
	}
	if r.Proto != "" {
		b.WriteString("/" + r.Proto)
	}
	return b.String()
}

// String is the canonical text of p: allow-all, deny-all, or allow= and
// its items; parsing it gives p back.
func (p Policy) String() string {
	if !p.Restricted {
		return "allow-all"
	}
	var items []string
	if p.DNS {
		items = append(items, "dns")
	}
	for _, r := range p.Rules {
		items = append(items, r.String())
	}
	if len(items) == 0 {
		return "deny-all"
	}
	return "allow=" + strings.Join(items, ",")
}
