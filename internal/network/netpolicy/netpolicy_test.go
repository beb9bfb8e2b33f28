package netpolicy

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func TestParseEgress(t *testing.T) {
	tests := []struct {
		name  string
		flags []string
		want  Policy
		text  string
	}{
		{"no flag", nil, Policy{}, "allow-all"},
		{"allow-all", []string{"allow-all"}, Policy{}, "allow-all"},
		{"deny-all", []string{"deny-all"}, Policy{Restricted: true}, "deny-all"},
		{"bare IPv4 is one host", []string{"allow=10.0.0.5"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("10.0.0.5/32")}}}, "allow=10.0.0.5"},
		{"CIDR port proto", []string{"allow=10.0.0.0/8:53/udp"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("10.0.0.0/8"), Port: 53, Proto: "udp"}}}, "allow=10.0.0.0/8:53/udp"},
		{"port any proto", []string{"allow=192.168.0.0/16:443"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("192.168.0.0/16"), Port: 443}}}, "allow=192.168.0.0/16:443"},
		{"proto any port", []string{"allow=0.0.0.0/0:*/tcp"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("0.0.0.0/0"), Proto: "tcp"}}}, "allow=0.0.0.0/0:*/tcp"},
		{"several items and flags add up, duplicates once", []string{"allow=10.0.0.1,10.0.0.2:80", "allow=10.0.0.1", "deny-all"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("10.0.0.1/32")}, {Prefix: pfx("10.0.0.2/32"), Port: 80}}}, "allow=10.0.0.1,10.0.0.2:80"},
		{"allow= repeated inside a flag", []string{"allow=10.0.0.1,allow=10.0.0.2"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("10.0.0.1/32")}, {Prefix: pfx("10.0.0.2/32")}}}, "allow=10.0.0.1,10.0.0.2"},
		{"IPv6 bracketed prefix and port", []string{"allow=[fd00::]/64:8080/tcp"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("fd00::/64"), Port: 8080, Proto: "tcp"}}}, "allow=[fd00::]/64:8080/tcp"},
		{"IPv6 bracketed host and port", []string{"allow=[fd00::1]:53"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("fd00::1/128"), Port: 53}}}, "allow=[fd00::1]:53"},
		{"IPv6 bare", []string{"allow=fd00::/8"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("fd00::/8")}}}, "allow=[fd00::]/8"},
		{"dns", []string{"allow=dns,10.0.0.1"},
			Policy{Restricted: true, DNS: true, Rules: []Rule{{Prefix: pfx("10.0.0.1/32")}}}, "allow=dns,10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEgress(tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseEgress(%q) = %+v, want %+v", tt.flags, got, tt.want)
			}
			if s := got.String(); s != tt.text {
				t.Errorf("String() = %q, want %q", s, tt.text)
			}
			again, err := ParseEgress([]string{got.String()})
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("String() does not parse back: %+v, %v", again, err)
			}
		})
	}
}

func TestParseIngress(t *testing.T) {
	tests := []struct {
		name  string
		flags []string
		want  Policy
	}{
		{"container name with port", []string{"allow=web:80/tcp"},
			Policy{Restricted: true, Rules: []Rule{{Peer: "web", Port: 80, Proto: "tcp"}}}},
		{"network name", []string{"allow=backend-net"},
			Policy{Restricted: true, Rules: []Rule{{Peer: "backend-net"}}}},
		{"name beginning with a digit", []string{"allow=1db"},
			Policy{Restricted: true, Rules: []Rule{{Peer: "1db"}}}},
		{"CIDR", []string{"allow=10.88.0.0/16:5432/tcp"},
			Policy{Restricted: true, Rules: []Rule{{Prefix: pfx("10.88.0.0/16"), Port: 5432, Proto: "tcp"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIngress(tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseIngress(%q) = %+v, want %+v", tt.flags, got, tt.want)
			}
			again, err := ParseIngress([]string{got.String()})
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("String() %q does not parse back: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		ingress bool
		flag    string
		want    string // a piece of the message that tells the user what is wrong
	}{
		{"unknown form", false, "allow:10.0.0.1", "want deny-all, allow-all or allow="},
		{"empty allow", false, "allow=", "empty item"},
		{"empty item", false, "allow=10.0.0.1,,10.0.0.2", "empty item"},
		{"CIDR that does not parse", false, "allow=10.0.0.0/33", `"10.0.0.0/33" is not a CIDR`},
		{"address that does not parse", false, "allow=10.0.0.300", `"10.0.0.300" is not an IP address`},
		{"address-like ingress is not a name", true, "allow=10.0.0.300:80", `"10.0.0.300" is not an IP address`},
		{"host bits set", false, "allow=10.1.2.3/8", "did you mean 10.0.0.0/8"},
		{"name in egress", false, "allow=web", `"web" is not an IP address`},
		{"port 0", false, "allow=10.0.0.1:0", `port "0": want a number from 1 to 65535`},
		{"port 70000", false, "allow=10.0.0.1:70000/tcp", `port "70000"`},
		{"port not a number", false, "allow=10.0.0.1:http", `port "http"`},
		{"bad proto", false, "allow=10.0.0.1:80/icmp", `protocol "icmp": want tcp or udp`},
		{"upper-case proto", false, "allow=10.0.0.1:80/TCP", `protocol "TCP"`},
		{"star without proto", false, "allow=10.0.0.1:*", "name a protocol"},
		{"unclosed bracket", false, "allow=[fd00::1:53", "missing ]"},
		{"junk after bracket", false, "allow=[fd00::1]x", "want [ADDR]/LEN:PORT"},
		{"zone", false, "allow=fe80::1%eth0", "is not an IP address"},
		{"dns in ingress", true, "allow=dns", "dns is an egress form"},
		{"bad name", true, "allow=-web", `"-web" is not an IP address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse, dir := ParseEgress, "egress"
			if tt.ingress {
				parse, dir = ParseIngress, "ingress"
			}
			p, err := parse([]string{tt.flag})
			if err == nil {
				t.Fatalf("%s %q parsed as %+v, want an error", dir, tt.flag, p)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, dir) || !strings.Contains(msg, tt.flag) {
				t.Errorf("error %q: want it to start with %s, quote the flag and contain %q", msg, dir, tt.want)
			}
		})
	}
	if _, err := ParseEgress([]string{"allow-all", "deny-all"}); err == nil {
		t.Error("allow-all with deny-all parsed, want an error")
	}
}
