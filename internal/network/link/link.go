// Package link makes bridges and veth pairs through netlink.
package link

import (
	"errors"
	"net"
	"net/netip"
)

// Bridge is a host bridge and its gateway address.
type Bridge struct {
	Name    string
	Gateway netip.Prefix // e.g. 10.88.0.1/16
	MTU     int
}

// Attachment connects a network namespace to a bridge through a veth pair.
type Attachment struct {
	NetnsPath string
	Bridge    string
	HostVeth  string
	IfName    string // name inside the namespace, e.g. "eth0"
	Address   netip.Prefix
	Gateway   netip.Addr
	MAC       net.HardwareAddr // optional
}

// EnsureBridge creates the bridge if missing, addresses it and sets it up.
func EnsureBridge(b Bridge) error { return errors.ErrUnsupported }

// DeleteBridge deletes the bridge; nil when absent.
func DeleteBridge(name string) error { return errors.ErrUnsupported }

// Attach makes the veth pair described by a; on failure it undoes all of it.
func Attach(a Attachment) error { return errors.ErrUnsupported }

// Detach deletes the host veth (its peer goes with it); nil when absent.
func Detach(hostVeth string) error { return errors.ErrUnsupported }

// HostVethName is the host-side veth name for a container: "wv" and the
// first 11 characters of its ID, within the kernel's 15-byte limit.
func HostVethName(containerID string) string {
	id := containerID
	if len(id) > 11 {
		id = id[:11]
	}
	return "wv" + id
}
