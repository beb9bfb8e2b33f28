package network

import (
	"net/netip"
	"strings"
	"testing"
)

// TestDefaultBridge: a plain `ward run` joins the default bridge (ward0,
// a subnet of the pool no route uses), gets an address, resolv.conf and
// hosts; inspect shows it in Docker's shape; rm gives everything back.
func TestDefaultBridge(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.serve("web", nil, "tcp", 80)
	got := w.inspect("web")
	ep, ok := got.NetworkSettings.Networks["bridge"]
	if !ok || got.HostConfig.NetworkMode != "bridge" {
		t.Fatalf("inspect: NetworkMode %q, Networks %+v; want the default bridge", got.HostConfig.NetworkMode, got.NetworkSettings.Networks)
	}
	addr := netip.MustParseAddr(ep.IPAddress)
	subnet := netip.PrefixFrom(netip.MustParseAddr(ep.Gateway), ep.IPPrefixLen).Masked()
	if !subnet.Contains(addr) || subnet.Overlaps(netip.MustParsePrefix("198.18.0.0/24")) {
		t.Errorf("address %s in %s: want one subnet of the pool, clear of the host's routes", addr, subnet)
	}
	if got.NetworkSettings.IPAddress != ep.IPAddress {
		t.Errorf("NetworkSettings.IPAddress %q, want the bridge's %s as Docker's", got.NetworkSettings.IPAddress, ep.IPAddress)
	}
	if got.NetworkSettings.Policy.Egress != "allow-all" {
		t.Errorf("effective egress %q, want allow-all", got.NetworkSettings.Policy.Egress)
	}
	if ifaces := w.must("exec", "web", "ip", "-o", "-4", "addr", "show", "eth0"); !strings.Contains(ifaces, ep.IPAddress+"/") {
		t.Errorf("eth0 inside: %q, want %s", ifaces, ep.IPAddress)
	}
	if hosts := w.must("exec", "web", "cat", "/etc/hosts"); !strings.Contains(hosts, ep.IPAddress+"\t"+got.ID[:12]) {
		t.Errorf("/etc/hosts lacks the container's own address:\n%s", hosts)
	}
	if !w.hasLink("ward0") {
		t.Error("no ward0 bridge in the host namespace")
	}
	// The outside sees the host's address: masquerade.
	srv := w.echoOutside("tcp")
	res := w.execDial("web", "tcp "+srv)
	if res["tcp "+srv] != "ok" {
		t.Errorf("egress to the outside: %v", res)
	}
	w.must("rm", "-f", "web")
	if n := w.network("bridge"); len(n.Containers) != 0 {
		t.Errorf("after rm, the bridge still lists %v", n.Containers)
	}
	if w.hasLink("ward0") {
		t.Error("the default bridge stays after its last container went")
	}
	if tables := w.tables(); len(tables) != 0 {
		t.Errorf("ward's tables %v stay after the last container went", tables)
	}
}
