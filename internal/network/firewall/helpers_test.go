package firewall

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/nftables"

	"github.com/wardproject/ward/internal/network/netpolicy"
	"github.com/wardproject/ward/internal/network/nettest"
)

func concat(groups ...[]probe) []probe {
	var out []probe
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

func mustParse(t *testing.T, parse func([]string) (netpolicy.Policy, error), flags []string) netpolicy.Policy {
	t.Helper()
	p, err := parse(flags)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func probeNS(ns, network, to string) (netip.AddrPort, error) {
	return nettest.Probe(ns, network, to, dropWait)
}

func familyName(f nftables.TableFamily) string {
	switch f {
	case nftables.TableFamilyINet:
		return "inet"
	case nftables.TableFamilyBridge:
		return "bridge"
	}
	return fmt.Sprint(f)
}

// typeName prints an expression with its fields, enough to tell two rule
// sets apart.
func typeName(e any) string { return fmt.Sprintf("%T%+v", e, e) }
