package network

import (
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/wardproject/ward/internal/linux/netns"
	"github.com/wardproject/ward/internal/network/nettest"
)

// BenchmarkStartBridge times `ward run -d busybox sleep` (until the
// container runs) on the default bridge against --network none,
// alternately, with one container kept on the bridge (as a machine
// running containers has its bridge up); removal is not timed. It
// reports each mean and the difference (target: under 10 ms).
func BenchmarkStartBridge(b *testing.B) {
	w := newWorld(b)
	w.must("run", "-d", "--name", "anchor", "busybox", "sleep", "1000")
	var none, bridge time.Duration
	timeRun := func(args ...string) time.Duration {
		cmd := nettest.Command(b, w.ns, bins.ward, append([]string{"--root", w.root, "run", "-d"}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "WARD_CONFIG=/nonexistent"}
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("ward run %v: %v: %s", args, err, out)
		}
		d := time.Since(start)
		b.StopTimer()
		w.must("rm", "-f", strings.TrimSpace(string(out)))
		b.StartTimer()
		return d
	}
	timeRun("--network", "none", "busybox", "sleep", "1000") // warm the page cache
	timeRun("busybox", "sleep", "1000")
	b.ResetTimer()
	for range b.N {
		none += timeRun("--network", "none", "busybox", "sleep", "1000")
		bridge += timeRun("busybox", "sleep", "1000")
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
	b.ReportMetric(ms(none), "none-ms/start")
	b.ReportMetric(ms(bridge), "bridge-ms/start")
	b.ReportMetric(ms(bridge)-ms(none), "extra-ms/start")
	b.ReportMetric(ms(bridge)/ms(none), "bridge/none")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkBridgeThroughput streams TCP between two ward containers on
// one bridge network (through their veths, the bridge and ward's rules,
// with an ingress policy on the receiver) and between two namespaces
// joined by a bare veth, alternately, from sockets opened inside each
// namespace; it reports both rates and their ratio (target: >= 0.9).
func BenchmarkBridgeThroughput(b *testing.B) {
	w := newWorld(b)
	w.must("network", "create", "--subnet", "10.99.0.0/24", "bench")
	w.must("run", "-d", "--name", "sender", "--network", "bench", "busybox", "sleep", "1000")
	w.must("run", "-d", "--name", "receiver", "--network", "bench", "--ingress", "allow=sender:5001/tcp", "busybox", "sleep", "1000")
	sender, receiver := w.inspect("sender").NetworkSettings.SandboxKey, w.inspect("receiver").NetworkSettings.SandboxKey
	receiverAddr := w.ip("receiver", "bench") + ":5001"

	left, right := nettest.Namespace(b), nettest.Namespace(b)
	bareVeth(b, left, right)

	const chunk, perRound = 64 << 10, 256 << 20
	var bridgeTime, vethTime time.Duration
	for range 2 { // warm both paths
		transfer(b, sender, receiver, receiverAddr, chunk, perRound/8)
		transfer(b, left, right, "10.98.0.2:5001", chunk, perRound/8)
	}
	b.ResetTimer()
	for range b.N {
		bridgeTime += transfer(b, sender, receiver, receiverAddr, chunk, perRound)
		vethTime += transfer(b, left, right, "10.98.0.2:5001", chunk, perRound)
	}
	rate := func(d time.Duration) float64 { return float64(perRound*b.N) / d.Seconds() / 1e6 }
	b.ReportMetric(rate(bridgeTime), "bridge-MB/s")
	b.ReportMetric(rate(vethTime), "veth-MB/s")
	b.ReportMetric(rate(bridgeTime)/rate(vethTime), "bridge/veth")
	b.ReportMetric(0, "ns/op")
}

// bareVeth joins two namespaces by a veth pair, 10.98.0.1 and .2.
func bareVeth(b *testing.B, left, right string) {
	peer, err := os.Open(right)
	if err != nil {
		b.Fatal(err)
	}
	defer peer.Close()
	up := func(addr string) error {
		l, err := netlink.LinkByName("eth0")
		if err != nil {
			return err
		}
		a, _ := netlink.ParseAddr(addr)
		if err := netlink.AddrAdd(l, a); err != nil {
			return err
		}
		return netlink.LinkSetUp(l)
	}
	err = netns.Do(left, func() error {
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "eth0"}, PeerName: "eth0", PeerNamespace: netlink.NsFd(int(peer.Fd()))}
		if err := netlink.LinkAdd(veth); err != nil {
			return err
		}
		return up("10.98.0.1/24")
	})
	if err == nil {
		err = netns.Do(right, func() error { return up("10.98.0.2/24") })
	}
	if err != nil {
		b.Fatal(err)
	}
}

// transfer sends size bytes over one new TCP connection from a socket in
// the client namespace to a listener in the server namespace, and returns
// how long until the server read the last byte.
func transfer(b *testing.B, client, server, addr string, chunk, size int) time.Duration {
	var ln net.Listener
	if err := netns.Do(server, func() error { var err error; ln, err = net.Listen("tcp", addr); return err }); err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	got := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- 0
			return
		}
		n, _ := io.Copy(io.Discard, c)
		c.Close()
		got <- n
	}()
	var c net.Conn
	if err := netns.Do(client, func() error {
		var err error
		c, err = net.DialTimeout("tcp", addr, 2*time.Second)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, chunk)
	start := time.Now()
	for sent := 0; sent < size; sent += chunk {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
	}
	c.Close()
	if n := <-got; n != int64(size) {
		b.Fatalf("received %d bytes of %d", n, size)
	}
	return time.Since(start)
}
