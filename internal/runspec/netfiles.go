package runspec

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
)

// defaultHosts is what Docker writes to a container's /etc/hosts when it
// has no address of its own (--network none).
const defaultHosts = "127.0.0.1\tlocalhost\n" +
	"::1\tlocalhost ip6-localhost ip6-loopback\n" +
	"fe00::0\tip6-localnet\n" +
	"ff00::0\tip6-mcastprefix\n" +
	"ff02::1\tip6-allnodes\n" +
	"ff02::2\tip6-allrouters\n"

// Docker's resolv.conf filter (libnetwork/resolvconf): localhost
// nameservers cannot be reached from another network namespace, and IPv6
// ones are dropped while IPv6 is off; Google's servers stand in when none
// are left.
//
// Compiled on first use, not at every start of the program.
var (
	localhostNameserver = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^nameserver\s+((127\.([0-9]{1,3}\.){2}[0-9]{1,3})|(::1)$)\s*\n*`)
	})
	ipv6Nameserver = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^nameserver\s+([0-9A-Fa-f]{0,4}:){2,7}([0-9A-Fa-f]{0,4})?(%\w+)?\s*\n*`)
	})
	anyNameserver = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^\s*nameserver\s+\S+`) })
)

const defaultNameservers = "\nnameserver 8.8.8.8\nnameserver 8.8.4.4"

// WriteNetworkFiles writes the container's hostname, hosts and
// resolv.conf into dir as Docker does, from the host's /etc/hosts and
// /etc/resolv.conf, and returns their paths for Options.NetworkFiles.
func WriteNetworkFiles(dir, hostname, network string) (NetworkFiles, error) {
	return writeNetworkFiles(dir, hostname, network, "/etc/hosts", "/etc/resolv.conf")
}

// writeNetworkFiles is WriteNetworkFiles with the host's files named.
// With --network host the container sees the host's hosts and
// resolv.conf unchanged; otherwise Docker's default hosts and the
// filtered resolv.conf.
func writeNetworkFiles(dir, hostname, network, hostHosts, hostResolv string) (NetworkFiles, error) {
	nf := NetworkFiles{
		Hostname:   filepath.Join(dir, "hostname"),
		Hosts:      filepath.Join(dir, "hosts"),
		ResolvConf: filepath.Join(dir, "resolv.conf"),
	}
	resolv, err := os.ReadFile(hostResolv)
	if err != nil && !os.IsNotExist(err) {
		return NetworkFiles{}, fmt.Errorf("read host resolv.conf: %w", err)
	}
	hosts := []byte(defaultHosts)
	if network == "host" {
		if hosts, err = os.ReadFile(hostHosts); err != nil {
			return NetworkFiles{}, fmt.Errorf("read host hosts file: %w", err)
		}
	} else {
		resolv = localhostNameserver().ReplaceAll(resolv, nil)
		resolv = ipv6Nameserver().ReplaceAll(resolv, nil)
		if !anyNameserver().Match(resolv) {
			resolv = append(bytes.Clone(resolv), defaultNameservers...)
		}
	}
	for path, content := range map[string][]byte{
		nf.Hostname:   []byte(hostname + "\n"),
		nf.Hosts:      hosts,
		nf.ResolvConf: resolv,
	} {
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return NetworkFiles{}, fmt.Errorf("write container network file: %w", err)
		}
	}
	return nf, nil
}
