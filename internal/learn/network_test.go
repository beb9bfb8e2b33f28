package learn

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/linux/observe"
)

func ep(s, proto string) observe.Endpoint {
	ap := netip.MustParseAddrPort(s)
	return observe.Endpoint{Addr: ap.Addr(), Port: ap.Port(), Proto: proto}
}

func TestNetworkSection(t *testing.T) {
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(resolv, []byte("search lan\nnameserver 10.255.255.53\noptions ndots:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	spec := &specs.Spec{Mounts: []specs.Mount{{Destination: "/etc/resolv.conf", Source: resolv}}}
	seen := &NetworkSeen{
		Destinations: []observe.Endpoint{
			ep("10.255.255.53:53", "udp"), // the container's resolver
			ep("10.255.255.54:53", "udp"), // another server's port 53: by address
			ep("10.88.0.1:8080", "tcp"),
			ep("10.88.0.1:0", "udp"),
			ep("0.0.0.0:80", "tcp"),
		},
		Listening: []observe.Endpoint{ep("0.0.0.0:8080", "tcp")},
		Resolvers: specResolvers(spec),
	}
	n, err := networkSection(seen, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []learnprofile.Destination{
		{Address: "10.255.255.53", Port: 53, Protocol: "udp", DNS: true},
		{Address: "10.255.255.54", Port: 53, Protocol: "udp"},
		{Address: "10.88.0.1", Port: 8080, Protocol: "tcp"},
	}
	if !slices.Equal(n.Destinations, want) {
		t.Errorf("destinations %+v, want %+v", n.Destinations, want)
	}
	if !slices.Equal(n.Listening, []learnprofile.Listener{{Address: "0.0.0.0", Port: 8080, Protocol: "tcp"}}) {
		t.Errorf("listening %+v", n.Listening)
	}
	p := &learnprofile.Profile{Network: n}
	if e := p.Egress(); e != "allow=dns,10.255.255.54:53/udp,10.88.0.1:8080/tcp" {
		t.Errorf("egress %q", e)
	}

	// Nothing seen is a fact: an empty section, which denies all egress.
	n, err = networkSection(&NetworkSeen{}, nil)
	if err != nil || n == nil || len(n.Destinations) != 0 {
		t.Errorf("nothing seen: %+v, %v", n, err)
	}

	// What the hooks cannot see into refuses the profile.
	for name, tc := range map[string]struct {
		unseen  []string
		granted []uint32
	}{
		"raw socket":  {[]string{"a raw socket"}, nil},
		"CAP_NET_RAW": {nil, []uint32{capNetRaw}},
	} {
		if _, err := networkSection(&NetworkSeen{Unseen: tc.unseen}, tc.granted); err == nil || !strings.Contains(err.Error(), "could not see") {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
}

func TestEgressSummary(t *testing.T) {
	p := &learnprofile.Profile{}
	if s := EgressSummary(p, "bridge"); s != "not learned" {
		t.Errorf("no network section: %q", s)
	}
	p.Network = &learnprofile.Network{Destinations: []learnprofile.Destination{{Address: "10.0.0.5", Port: 443, Protocol: "tcp"}}}
	for network, want := range map[string]string{
		"bridge":        "allow=10.0.0.5:443/tcp",
		"app":           "allow=10.0.0.5:443/tcp",
		"host":          "allow=10.0.0.5:443/tcp (not applied with --network host)",
		"none":          "allow=10.0.0.5:443/tcp (not applied with --network none)",
		"container:web": "allow=10.0.0.5:443/tcp (not applied with --network container:web)",
	} {
		if s := EgressSummary(p, network); s != want {
			t.Errorf("--network %s: %q, want %q", network, s, want)
		}
	}
}

// Dropped names what the replay tried outside the profile's egress, and
// only where that egress applied.
func TestDropped(t *testing.T) {
	p := &learnprofile.Profile{Network: &learnprofile.Network{Destinations: []learnprofile.Destination{
		{Address: "10.0.0.5", Port: 443, Protocol: "tcp"},
	}}}
	r := &Result{Network: &NetworkSeen{
		Destinations: []observe.Endpoint{ep("10.0.0.5:443", "tcp"), ep("10.0.0.6:443", "tcp"), ep("10.9.9.9:53", "udp"), ep("127.0.0.1:80", "tcp")},
		Resolvers:    []netip.Addr{netip.MustParseAddr("10.9.9.9")},
	}}
	req := Request{}
	req.Create.Run.Network = "bridge"
	if got := Dropped(r, req, p); !slices.Equal(got, []string{"dns", "10.0.0.6:443/tcp"}) {
		t.Errorf("dropped %v, want [dns 10.0.0.6:443/tcp]", got)
	}
	req.Create.Net.Egress = []string{"allow-all"}
	if got := Dropped(r, req, p); got != nil {
		t.Errorf("with the command line's --egress: %v, want nothing (the profile's did not apply)", got)
	}
	req.Create.Net.Egress = nil
	req.Create.Run.Network = "host"
	if got := Dropped(r, req, p); got != nil {
		t.Errorf("on the host's network: %v, want nothing", got)
	}
	req.Create.Run.Network = "bridge"
	if got := Dropped(r, req, &learnprofile.Profile{}); got != nil {
		t.Errorf("a profile without a network section: %v, want nothing", got)
	}
}
