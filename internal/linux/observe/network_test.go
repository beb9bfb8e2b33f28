package observe

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// netWorkloadEnv makes the test binary the workload of
// TestWatchNetwork: it moves into the cgroup named by the variable and
// uses the sockets the test expects to see.
const netWorkloadEnv = "WARD_OBSERVE_NET_WORKLOAD"

func TestMain(m *testing.M) {
	if cg := os.Getenv(netWorkloadEnv); cg != "" {
		work := func() error { return netWorkload(cg, os.Args[len(os.Args)-2], os.Args[len(os.Args)-1]) }
		switch os.Args[len(os.Args)-1] {
		case "flood":
			work = func() error { return floodWorkload(cg) }
		case "connects":
			work = func() error { return connectsWorkload(cg, os.Args[len(os.Args)-2]) }
		}
		if err := work(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// netWorkload: TCP connect to tcpAddr, an unconnected UDP send to
// udpAddr, a TCP listener on an ephemeral loopback port (printed), a
// UDP socket bound to a chosen port, a client UDP socket bound to port
// 0 (not a listener), and a raw socket.
func netWorkload(cg, tcpAddr, udpAddr string) error {
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	c, err := net.Dial("tcp", tcpAddr)
	if err != nil {
		return err
	}
	c.Close()
	u, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	dst, _ := net.ResolveUDPAddr("udp4", udpAddr)
	if _, err := u.WriteTo([]byte("x"), dst); err != nil {
		return err
	}
	u.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(l.Addr())
	l.Close()
	s, err := net.ListenPacket("udp6", "[::1]:0")
	if err != nil {
		return err
	}
	port := s.LocalAddr().(*net.UDPAddr).Port
	s.Close()
	// Bound to a port it chose: a UDP server.
	s, err = net.ListenPacket("udp6", fmt.Sprintf("[::1]:%d", port))
	if err != nil {
		return err
	}
	fmt.Println(s.LocalAddr())
	s.Close()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

// floodWorkload sends a datagram to more loopback ports than the map
// holds.
func floodWorkload(cg string) error {
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	u, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer u.Close()
	for port := 1; port <= maxEndpoints+10; port++ {
		u.WriteTo([]byte("x"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	}
	return nil
}

// A process in a fresh cgroup connects, sends, listens and binds: the
// hooks record each endpoint with its protocol, tell the TCP listener
// and the UDP server from the client sockets, flag the raw socket, and
// see nothing of the test's own sockets outside the cgroup.
func TestWatchNetwork(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root to load BPF programs (CI runs as root)")
	}
	cg := filepath.Join(unifiedMount(t), "ward-observe-net-test-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(cg) })
	w, err := WatchNetwork(cg)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// The test's own sockets, outside the cgroup.
	tcp, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	go func() {
		for {
			c, err := tcp.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	udp, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^$", tcp.Addr().String(), udp.LocalAddr().String())
	cmd.Env = append(os.Environ(), netWorkloadEnv+"="+cg)
	outBytes, err := cmd.Output()
	if err != nil {
		t.Fatalf("workload: %v", err)
	}
	lines := strings.Fields(string(outBytes))
	if len(lines) != 2 {
		t.Fatalf("workload printed %q: want its two listening addresses", outBytes)
	}

	dests, err := w.Destinations()
	if err != nil {
		t.Fatal(err)
	}
	want := []Endpoint{endpoint(t, tcp.Addr().String(), "tcp"), endpoint(t, udp.LocalAddr().String(), "udp")}
	sortEndpoints(want)
	if !slices.Equal(dests, want) {
		t.Errorf("destinations %v, want %v", dests, want)
	}
	listening, err := w.Listening()
	if err != nil {
		t.Fatal(err)
	}
	want = []Endpoint{endpoint(t, lines[0], "tcp"), endpoint(t, lines[1], "udp")}
	sortEndpoints(want)
	if !slices.Equal(listening, want) {
		t.Errorf("listening %v, want %v (not the client UDP socket bound to port 0, not the test's own listeners)", listening, want)
	}
	unseen, err := w.Unseen()
	if err != nil || !slices.Equal(unseen, []string{"a raw socket"}) {
		t.Errorf("unseen %v, %v: want [a raw socket]", unseen, err)
	}

	// More endpoints than the map holds: said, not silently cut short.
	cmd = exec.Command(os.Args[0], "-test.run=^$", "flood")
	cmd.Env = append(os.Environ(), netWorkloadEnv+"="+cg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("flood: %v: %s", err, out)
	}
	unseen, err = w.Unseen()
	if err != nil || len(unseen) != 2 || !strings.Contains(unseen[1], "more than 4096 endpoints") {
		t.Errorf("unseen %v, %v: want the raw socket and the overflow", unseen, err)
	}
}

func endpoint(t *testing.T, s, proto string) Endpoint {
	t.Helper()
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		t.Fatal(err)
	}
	return Endpoint{Addr: ap.Addr().Unmap(), Port: ap.Port(), Proto: proto}
}
