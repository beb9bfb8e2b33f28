// Package link makes the links of a ward network through netlink: a bridge
// on the host side, and for each container a veth pair with one end on the
// bridge and the other inside the container's network namespace.
//
// It works on the network namespace of the calling thread (the engine's
// host namespace, or a test's namespace entered with netns.Do) and enters
// the container's namespace only to configure the container's end. It
// never shells out to ip(8): netlink is the kernel's own interface, and one
// less program to trust and to find on the host.
package link

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/vishvananda/netlink"

	"github.com/wardproject/ward/internal/linux/netns"
)

// Bridge is a host bridge and its gateway address.
type Bridge struct {
	Name    string
	Gateway netip.Prefix // the bridge's own address and the network's length, e.g. 10.88.0.1/16
	MTU     int          // 0 keeps the kernel's default
}

// Attachment connects a network namespace to a bridge through a veth pair.
type Attachment struct {
	NetnsPath string
	Bridge    string
	HostVeth  string           // see HostVethName
	IfName    string           // name inside the namespace, e.g. "eth0"
	Address   netip.Prefix     // the container's address and the network's length
	Gateway   netip.Addr       // default route; invalid means none (an internal network)
	MAC       net.HardwareAddr // nil means MACFor(Address.Addr())
}

// sysctls EnsureBridge sets in the calling thread's namespace, and why.
// All of them are per network namespace on Linux >= 5.3 (the br_netfilter
// ones since that release), which netns's tests check, so a test that
// runs the engine inside a namespace of its own leaves the machine's alone.
var bridgeSysctls = []struct{ key, value string }{
	// Containers reach the outside and each other's networks by routing.
	{"net/ipv4/ip_forward", "1"},
	// Traffic between two containers on one bridge is switched, not
	// routed; br_netfilter passes it through the inet hooks anyway, where
	// conntrack and the per-container policies are (the bridge family has
	// no conntrack on this kernel: NF_CONNTRACK_BRIDGE is not built).
	{"net/bridge/bridge-nf-call-iptables", "1"},
	{"net/bridge/bridge-nf-call-ip6tables", "1"},
}

// EnsureBridge creates the bridge if missing, gives it the gateway address
// and sets it up, then sets the sysctls the firewall depends on. It is
// idempotent.
func EnsureBridge(b Bridge) error {
	l, err := netlink.LinkByName(b.Name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if !errors.As(err, &nf) {
			return fmt.Errorf("bridge %s: %w", b.Name, err)
		}
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: b.Name, MTU: b.MTU}}
		if err := netlink.LinkAdd(br); err != nil {
			return fmt.Errorf("create bridge %s: %w", b.Name, err)
		}
		if l, err = netlink.LinkByName(b.Name); err != nil {
			return fmt.Errorf("bridge %s: %w", b.Name, err)
		}
	} else if l.Type() != "bridge" {
		return fmt.Errorf("bridge %s: a %s link of that name exists", b.Name, l.Type())
	}
	if err := netlink.AddrReplace(l, netlinkAddr(b.Gateway)); err != nil {
		return fmt.Errorf("bridge %s: address %s: %w", b.Name, b.Gateway, err)
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("bridge %s: set up: %w", b.Name, err)
	}
	for _, s := range bridgeSysctls {
		if err := writeSysctl(s.key, s.value); err != nil {
			return fmt.Errorf("bridge %s: %w", b.Name, err)
		}
	}
	// Published ports bound to 127.0.0.1 are DNATed to a container: the
	// packet keeps its loopback source until masquerade, and the kernel
	// routes such a packet out of a non-loopback link only with this set.
	if err := writeSysctl("net/ipv4/conf/"+b.Name+"/route_localnet", "1"); err != nil {
		return fmt.Errorf("bridge %s: %w", b.Name, err)
	}
	return nil
}

// DeleteBridge deletes the bridge; nil when absent.
func DeleteBridge(name string) error {
	return deleteLink(name)
}

// Attach makes the veth pair described by a: the host end on the bridge
// and up, the peer inside the namespace as a.IfName with its address, MAC
// and default route. On any failure it deletes the pair it made.
func Attach(a Attachment) error {
	if err := attach(a); err != nil {
		return fmt.Errorf("attach %s to bridge %s: %w", a.NetnsPath, a.Bridge, err)
	}
	return nil
}

func attach(a Attachment) error {
	br, err := netlink.LinkByName(a.Bridge)
	if err != nil {
		return err
	}
	if br.Type() != "bridge" {
		return fmt.Errorf("%s is a %s link, not a bridge", a.Bridge, br.Type())
	}
	ns, err := os.Open(a.NetnsPath)
	if err != nil {
		return err
	}
	defer ns.Close()
	mac := a.MAC
	if mac == nil {
		mac = MACFor(a.Address.Addr())
	}
	veth := &netlink.Veth{
		LinkAttrs:        netlink.LinkAttrs{Name: a.HostVeth, MTU: br.Attrs().MTU},
		PeerName:         a.IfName,
		PeerHardwareAddr: mac,
		PeerMTU:          uint32(br.Attrs().MTU),
		PeerNamespace:    netlink.NsFd(int(ns.Fd())),
	}
	// The peer is created directly inside the container's namespace, so
	// its name never has to be unique on the host.
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %s: %w", a.HostVeth, err)
	}
	err = func() error {
		host, err := netlink.LinkByName(a.HostVeth)
		if err != nil {
			return err
		}
		if err := netlink.LinkSetMaster(host, br); err != nil {
			return fmt.Errorf("add %s to the bridge: %w", a.HostVeth, err)
		}
		// A container reaching its own published port through the host
		// comes back on the port it left by: br_netfilter bridges DNAT
		// to a local bridge, and the bridge sends a frame back out of
		// its ingress port only in hairpin mode (Docker sets it too).
		if err := netlink.LinkSetHairpin(host, true); err != nil {
			return fmt.Errorf("set hairpin on %s: %w", a.HostVeth, err)
		}
		if err := netlink.LinkSetUp(host); err != nil {
			return fmt.Errorf("set %s up: %w", a.HostVeth, err)
		}
		return netns.Do(a.NetnsPath, func() error { return configurePeer(a) })
	}()
	if err != nil {
		return errors.Join(err, deleteLink(a.HostVeth))
	}
	return nil
}

// configurePeer runs inside the container's namespace.
func configurePeer(a Attachment) error {
	l, err := netlink.LinkByName(a.IfName)
	if err != nil {
		return err
	}
	if err := netlink.AddrAdd(l, netlinkAddr(a.Address)); err != nil {
		return fmt.Errorf("address %s: %w", a.Address, err)
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("set %s up: %w", a.IfName, err)
	}
	if a.Gateway.IsValid() {
		route := &netlink.Route{LinkIndex: l.Attrs().Index, Gw: a.Gateway.AsSlice()}
		if err := netlink.RouteAdd(route); err != nil {
			return fmt.Errorf("default route via %s: %w", a.Gateway, err)
		}
	}
	return nil
}

// Detach deletes the host veth (its peer goes with it); nil when absent.
func Detach(hostVeth string) error {
	return deleteLink(hostVeth)
}

func deleteLink(name string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("delete link %s: %w", name, err)
	}
	if err := netlink.LinkDel(l); err != nil {
		return fmt.Errorf("delete link %s: %w", name, err)
	}
	return nil
}

// HostVethName is the host-side veth name for a container: "wv" and the
// first 11 characters of its ID, within the kernel's 15-byte limit. Eleven
// hex digits of a random ID make a clash between two live containers
// vanishingly rare, and the prefix tells ward's links apart from others.
func HostVethName(containerID string) string {
	id := containerID
	if len(id) > 11 {
		id = id[:11]
	}
	return "wv" + id
}

// MACFor derives a container's MAC from its address as Docker does: the
// locally administered prefix 02:42 and the four bytes of the IPv4
// address. The bridge firewall pins each host port to this MAC, so the
// engine's store, link and firewall agree on it without asking the
// container's namespace.
func MACFor(addr netip.Addr) net.HardwareAddr {
	b := addr.As16()
	return net.HardwareAddr{0x02, 0x42, b[12], b[13], b[14], b[15]}
}

func netlinkAddr(p netip.Prefix) *netlink.Addr {
	return &netlink.Addr{IPNet: &net.IPNet{
		IP:   p.Addr().AsSlice(),
		Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen()),
	}}
}

// writeSysctl writes a sysctl of the calling thread's network namespace:
// /proc/sys/net resolves to the namespace of the thread that opens it.
func writeSysctl(key, value string) error {
	if err := os.WriteFile(filepath.Join("/proc/sys", key), []byte(value), 0o644); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
	}
	return nil
}
