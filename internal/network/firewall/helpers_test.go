package firewall

import (
	"fmt"
	"net/netip"
	"testing"

	"strings"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"

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

// dumpRules lists the rules of every table called name, reading the
// kernel's netlink dump directly: google/nftables v0.3.0 cannot decode the
// ct direction attribute back (the kernel sends a u8), so GetRules fails
// on the rules this package writes. The expressions are compared as the
// kernel's own bytes, which is stricter than any decoding.
func dumpRules(name string) (string, error) {
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		return "", err
	}
	defer c.Close()
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{
			Type:  netlink.HeaderType(unix.NFNL_SUBSYS_NFTABLES<<8 | unix.NFT_MSG_GETRULE),
			Flags: netlink.Request | netlink.Dump,
		},
		Data: []byte{unix.AF_UNSPEC, unix.NFNETLINK_V0, 0, 0},
	})
	if err != nil {
		return "", err
	}
	var lines []string
	for _, m := range msgs {
		ad, err := netlink.NewAttributeDecoder(m.Data[4:])
		if err != nil {
			return "", err
		}
		var table, chain string
		var exprs, udata []byte
		for ad.Next() {
			switch ad.Type() {
			case unix.NFTA_RULE_TABLE:
				table = ad.String()
			case unix.NFTA_RULE_CHAIN:
				chain = ad.String()
			case unix.NFTA_RULE_EXPRESSIONS:
				exprs = ad.Bytes()
			case unix.NFTA_RULE_USERDATA:
				udata = ad.Bytes()
			}
		}
		if table == name {
			lines = append(lines, fmt.Sprintf("%s %s %s: %x %q", familyName(m.Data[0]), table, chain, exprs, udata))
		}
	}
	return strings.Join(lines, "\n"), nil
}

func familyName(f byte) string {
	switch f {
	case unix.NFPROTO_INET:
		return "inet"
	case unix.NFPROTO_BRIDGE:
		return "bridge"
	}
	return fmt.Sprint(f)
}
