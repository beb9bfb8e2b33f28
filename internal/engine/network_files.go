package engine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/wardproject/ward/internal/network/store"
)

// hostsHeader is the start of every container's /etc/hosts, as Docker's.
const hostsHeader = "127.0.0.1\tlocalhost\n" +
	"::1\tlocalhost ip6-localhost ip6-loopback\n" +
	"fe00::0\tip6-localnet\n" +
	"ff00::0\tip6-mcastprefix\n" +
	"ff02::1\tip6-allnodes\n" +
	"ff02::2\tip6-allrouters\n"

// hostsFiles computes the /etc/hosts of container self and of every
// container sharing one of the user networks touched with it: its own
// addresses under its hostname and name, then the containers sharing a
// user network with it, by name, so they reach each other by name as on
// Docker's user networks (the default bridge lists no peers, as Docker's).
func hostsFiles(tx *store.Tx, self string, touched []string) (map[string][]byte, error) {
	sbs, err := tx.Sandboxes()
	if err != nil {
		return nil, err
	}
	byID := map[string]store.Sandbox{}
	for _, sb := range sbs {
		byID[sb.ContainerID] = sb
	}
	files := map[string][]byte{}
	for _, sb := range sbs {
		if sb.HostsFile == "" {
			continue
		}
		eps, err := tx.ContainerEndpoints(sb.ContainerID)
		if err != nil {
			return nil, err
		}
		affected := sb.ContainerID == self
		for _, ep := range eps {
			affected = affected || (ep.Network != store.DefaultNetwork && slices.Contains(touched, ep.Network))
		}
		if !affected {
			continue
		}
		var b strings.Builder
		b.WriteString(hostsHeader)
		for _, ep := range eps {
			names := sb.Hostname
			if sb.Name != "" && sb.Name != sb.Hostname {
				names += " " + sb.Name
			}
			fmt.Fprintf(&b, "%s\t%s\n", ep.Addr, names)
		}
		for _, ep := range eps {
			if ep.Network == store.DefaultNetwork {
				continue
			}
			peers, err := tx.NetworkEndpoints(ep.Network)
			if err != nil {
				return nil, err
			}
			for _, p := range peers {
				if other := byID[p.ContainerID]; p.ContainerID != sb.ContainerID && other.Name != "" {
					fmt.Fprintf(&b, "%s\t%s\n", p.Addr, other.Name)
				}
			}
		}
		files[sb.HostsFile] = []byte(b.String())
	}
	return files, nil
}

// writeHostsFiles writes what hostsFiles computed. The files are
// rewritten in place: a running container has the file's inode
// bind-mounted.
func writeHostsFiles(files map[string][]byte) error {
	var errs []error
	for path, data := range files {
		errs = append(errs, rewriteInPlace(path, data))
	}
	return errors.Join(errs...)
}

// rewriteInPlace replaces a file's content keeping its inode; a file that
// is gone (its container removed meanwhile) is skipped.
func rewriteInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("hosts file %s: %w", path, err)
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("hosts file %s: %w", path, err)
	}
	return nil
}

// resolvers are the nameservers a resolv.conf names.
func resolvers(path string) []netip.Addr {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			if a, err := netip.ParseAddr(f[1]); err == nil && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// HostRoutes are the IPv4 routes of ward's network namespace
// (/proc/net/route), which a default subnet must not overlap; the routes
// of ward's own bridges are left out (the store knows those subnets).
func HostRoutes() []netip.Prefix {
	f, err := os.Open("/proc/net/route")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []netip.Prefix
	sc := bufio.NewScanner(f)
	sc.Scan() // the header
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) < 8 || fl[0] == store.DefaultBridge || strings.HasPrefix(fl[0], "wb-") {
			continue
		}
		dst, err1 := strconv.ParseUint(fl[1], 16, 32)
		mask, err2 := strconv.ParseUint(fl[7], 16, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		var d, m [4]byte
		binary.LittleEndian.PutUint32(d[:], uint32(dst))
		binary.LittleEndian.PutUint32(m[:], uint32(mask))
		bits, _ := net.IPMask(m[:]).Size()
		out = append(out, netip.PrefixFrom(netip.AddrFrom4(d), bits).Masked())
	}
	return out
}

// hostPortFree tells whether a host process could bind the port: one that
// does would never see its traffic, so ward refuses it, as Docker does.
func hostPortFree(p store.Port) bool {
	ip := "0.0.0.0"
	if p.HostIP.IsValid() {
		ip = p.HostIP.String()
	}
	addr := net.JoinHostPort(ip, strconv.Itoa(int(p.HostPort)))
	if p.Proto == "udp" {
		c, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return false
		}
		c.Close()
		return true
	}
	l, err := net.Listen("tcp4", addr)
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func parseMAC(s string) (net.HardwareAddr, error) {
	if s == "" {
		return nil, nil
	}
	return net.ParseMAC(s)
}
