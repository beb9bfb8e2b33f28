// Package nettest gives network tests namespaces of their own, so that no
// test touches the machine's own links, tables or sysctls, and no packet
// goes anywhere but to an address of a namespace the test made.
//
// Programs run in a namespace by re-executing the test binary: an
// *exec.Cmd is started later by its caller on whatever thread Go picks, so
// a setns done here could not reach the fork. Instead Command runs the
// test binary itself, whose TestMain calls Reexec first: that joins the
// namespace on a locked thread and execs the program, which keeps that
// thread's namespace. Probes and servers need no program at all: a socket belongs to the namespace it was
// created in, so Echo and Probe open theirs inside netns.Do and use them
// from any goroutine.
package nettest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/linux/netns"
)

// Addresses of the link Outside makes, from 198.18.0.0/15 (RFC 2544,
// benchmarking): they never clash with a real network on the machine and
// exist only between the two test namespaces.
var (
	insideAddr  = netip.MustParsePrefix("198.18.0.1/24")
	outsideAddr = netip.MustParsePrefix("198.18.0.2/24")
)

// Namespace makes a fresh network namespace, with only lo, removed at
// cleanup. It skips the test when not root.
func Namespace(t testing.TB) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root to create network namespaces (CI runs as root)")
	}
	path := filepath.Join(t.TempDir(), "netns")
	if err := netns.Create(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := netns.Remove(path); err != nil {
			t.Error(err)
		}
	})
	return path
}

// reexecFlag, the first argument, carries the namespace from Command to
// Reexec: an argument, since callers often replace a command's Env.
const reexecFlag = "-ward-nettest-netns="

// Command runs a program inside the namespace at nsPath. The test binary's
// TestMain must call Reexec before anything else.
func Command(t testing.TB, nsPath, name string, args ...string) *exec.Cmd {
	t.Helper()
	return exec.Command("/proc/self/exe", append([]string{reexecFlag + nsPath, name}, args...)...)
}

// Reexec, called first in TestMain, does nothing in the test binary run by
// go test; in one started by Command it joins the namespace and execs the
// program there, never returning. A failure exits 127, as a shell does for
// a command it cannot run.
func Reexec() {
	if len(os.Args) < 2 || !strings.HasPrefix(os.Args[1], reexecFlag) {
		return
	}
	nsPath := strings.TrimPrefix(os.Args[1], reexecFlag)
	fail := func(err error) {
		fmt.Fprintf(os.Stderr, "nettest: %v\n", err)
		os.Exit(127)
	}
	if len(os.Args) < 3 {
		fail(errors.New("no program to run"))
	}
	path, err := exec.LookPath(os.Args[2])
	if err != nil {
		fail(err)
	}
	// The thread that calls execve becomes the new program's only thread:
	// joining the namespace on it, locked, is what the program inherits.
	runtime.LockOSThread()
	fd, err := unix.Open(nsPath, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		fail(fmt.Errorf("open %s: %w", nsPath, err))
	}
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		fail(fmt.Errorf("join %s: %w", nsPath, err))
	}
	fail(syscall.Exec(path, os.Args[2:], os.Environ()))
}

// Outside makes a second namespace linked to nsPath by a veth, acting as
// "the internet": nsPath gets 198.18.0.1/24 on link "wout0" and a default
// route via the outside's 198.18.0.2, which Outside returns. The outside
// has no route back to anything else, so it only answers addresses on
// that link: what reaches it from further in must be masqueraded.
func Outside(t testing.TB, nsPath string) (string, netip.Addr) {
	t.Helper()
	out := Namespace(t)
	outFd, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer outFd.Close()
	err = netns.Do(nsPath, func() error {
		veth := &netlink.Veth{
			LinkAttrs:     netlink.LinkAttrs{Name: "wout0"},
			PeerName:      "eth0",
			PeerNamespace: netlink.NsFd(int(outFd.Fd())),
		}
		if err := netlink.LinkAdd(veth); err != nil {
			return fmt.Errorf("add veth wout0: %w", err)
		}
		return configure("wout0", insideAddr, outsideAddr.Addr())
	})
	if err != nil {
		t.Fatal(err)
	}
	err = netns.Do(out, func() error { return configure("eth0", outsideAddr, netip.Addr{}) })
	if err != nil {
		t.Fatal(err)
	}
	return out, outsideAddr.Addr()
}

// configure addresses and raises a link in the calling thread's namespace,
// with a default route via gw when gw is valid.
func configure(name string, addr netip.Prefix, gw netip.Addr) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return fmt.Errorf("find %s: %w", name, err)
	}
	a := &netlink.Addr{IPNet: &net.IPNet{IP: addr.Addr().AsSlice(), Mask: net.CIDRMask(addr.Bits(), addr.Addr().BitLen())}}
	if err := netlink.AddrAdd(l, a); err != nil {
		return fmt.Errorf("address %s: %w", name, err)
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("set %s up: %w", name, err)
	}
	if gw.IsValid() {
		if err := netlink.RouteAdd(&netlink.Route{LinkIndex: l.Attrs().Index, Gw: gw.AsSlice()}); err != nil {
			return fmt.Errorf("default route via %s: %w", gw, err)
		}
	}
	return nil
}

// Echo serves network ("tcp" or "udp") on addr inside nsPath until the
// test ends: each connection or datagram is answered with one line, the
// address it came from as the server saw it (so tests can tell NAT apart).
// It returns the address it listens on.
func Echo(t testing.TB, nsPath, network, addr string) netip.AddrPort {
	t.Helper()
	var ln net.Listener
	var pc net.PacketConn
	err := netns.Do(nsPath, func() error {
		var err error
		if network == "udp" {
			pc, err = net.ListenPacket("udp", addr)
		} else {
			ln, err = net.Listen("tcp", addr)
		}
		return err
	})
	if err != nil {
		t.Fatalf("echo %s %s in %s: %v", network, addr, nsPath, err)
	}
	if pc != nil {
		t.Cleanup(func() { pc.Close() })
		go func() {
			buf := make([]byte, 1500)
			for {
				_, from, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				pc.WriteTo([]byte(from.String()+"\n"), from)
			}
		}()
		return pc.LocalAddr().(*net.UDPAddr).AddrPort()
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintln(c, c.RemoteAddr().String())
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).AddrPort()
}

// Probe connects from inside nsPath to an Echo server at addr and returns
// the source address the server saw. A dropped packet shows as a timeout
// after wait.
func Probe(nsPath, network, addr string, wait time.Duration) (netip.AddrPort, error) {
	var line string
	err := netns.Do(nsPath, func() error {
		c, err := net.DialTimeout(network, addr, wait)
		if err != nil {
			return err
		}
		defer c.Close()
		deadline := time.Now().Add(wait)
		if network == "udp" {
			line, err = askUDP(c, deadline)
			return err
		}
		c.SetDeadline(deadline)
		line, err = bufio.NewReader(c).ReadString('\n')
		return err
	})
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("probe %s %s from %s: %w", network, addr, nsPath, err)
	}
	seen, err := netip.ParseAddrPort(strings.TrimSpace(line))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("probe %s %s: bad answer %q: %w", network, addr, line, err)
	}
	return netip.AddrPortFrom(seen.Addr().Unmap(), seen.Port()), nil
}

// askUDP sends a datagram every 200 ms until one is answered or the
// deadline passes: UDP does not retransmit, and a probe must not fail
// because one datagram was lost on a loaded machine.
func askUDP(c net.Conn, deadline time.Time) (string, error) {
	buf := make([]byte, 100)
	for {
		if _, err := c.Write([]byte("ping\n")); err != nil {
			return "", err
		}
		next := time.Now().Add(200 * time.Millisecond)
		if next.After(deadline) {
			next = deadline
		}
		c.SetReadDeadline(next)
		n, err := c.Read(buf)
		if err == nil {
			return string(buf[:n]), nil
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !time.Now().Before(deadline) {
			return "", err
		}
	}
}

// Blocked reports whether err says a probe was dropped, as opposed to
// answered or refused: a timeout, or EPERM when the drop happened in the
// output hook of the prober's own namespace.
func Blocked(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EPERM)
}
